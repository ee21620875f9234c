-- Deletes tombstones of ONE partition that signal_expire.lua reported due, with their side hashes. Each is checked
-- again (a submission may have revived it since the sweep read it), so a live record is never deleted.
-- KEYS: 4 per tombstone i: KEYS[4i-3] its bucket hash, KEYS[4i-2] its overflow contributors hash 'c:', KEYS[4i-1] its
-- opinions hash 'o:', KEYS[4i] its actions hash 'act:'; the last key the partition's disputed registry
-- ARGV[1] now (unix seconds), ARGV[2] tombstone keep (seconds), ARGV[2+i] field (storage key) of tombstone i
-- Returns the number of tombstones deleted.
local now, keep = tonumber(ARGV[1]), tonumber(ARGV[2])
local purged = 0
for i = 1, #ARGV - 2 do
  local bucket, field = KEYS[4 * i - 3], ARGV[2 + i]
  local packed = redis.call('HGET', bucket, field)
  if packed then
    local st, _, _, _, _, _, exp = rec_unpack(packed)
    if st ~= 1 and exp ~= 0 and exp + keep <= now then
      redis.call('HDEL', bucket, field)
      redis.call('DEL', KEYS[4 * i - 2], KEYS[4 * i - 1], KEYS[4 * i])
      redis.call('HDEL', KEYS[#KEYS], field)
      purged = purged + 1
    end
  end
end
return purged
