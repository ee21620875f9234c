-- Appends one entry to the hash-chained audit log, but only if the chain head is still the one
-- the caller hashed against (optimistic concurrency across replicas; the caller retries).
-- KEYS[1] audit head hash, KEYS[2] audit stream
-- ARGV[1] expected previous hash ('' for the first entry), ARGV[2] new sequence, ARGV[3] new hash,
-- ARGV[4..] field/value pairs of the entry
-- Returns {1} on success, {0, head_seq, head_hash} when the head moved.
local head_hash = redis.call('HGET', KEYS[1], 'hash') or ''
if head_hash ~= ARGV[1] then
  return {0, redis.call('HGET', KEYS[1], 'seq') or '0', head_hash}
end
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('XADD', KEYS[2], ARGV[2] .. '-1', unpack(fields))
redis.call('HSET', KEYS[1], 'seq', ARGV[2], 'hash', ARGV[3])
return {1}
