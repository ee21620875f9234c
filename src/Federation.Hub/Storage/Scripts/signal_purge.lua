-- Deletes tombstones of ONE partition that signal_expire.lua reported due, with their side hashes. Each is checked
-- again (a submission may have revived it since the sweep read it), so a live record is never deleted.
-- KEYS: 3 per tombstone i: KEYS[3i-2] its bucket hash, KEYS[3i-1] its overflow contributors hash 'c:', KEYS[3i] its
-- opinions hash 'o:'
-- ARGV[1] now (unix seconds), ARGV[2] tombstone keep (seconds), ARGV[2+i] field (storage key) of tombstone i
-- Returns the number of tombstones deleted.
local now, keep = tonumber(ARGV[1]), tonumber(ARGV[2])
local purged = 0
for i = 1, #ARGV - 2 do
  local bucket, field = KEYS[3 * i - 2], ARGV[2 + i]
  local packed = redis.call('HGET', bucket, field)
  if packed then
    local st, _, _, _, _, _, exp = rec_unpack(packed)
    if st ~= 1 and exp ~= 0 and exp + keep <= now then
      redis.call('HDEL', bucket, field)
      redis.call('DEL', KEYS[3 * i - 1], KEYS[3 * i])
      purged = purged + 1
    end
  end
end
return purged
