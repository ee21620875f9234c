-- Deletes tombstones of ONE partition that signal_expire.lua reported due, with their side hashes. Each is checked
-- again (a submission may have revived it since the sweep read it), so a live record is never deleted.
-- KEYS: 5 per tombstone i: KEYS[5i-4] its bucket hash, KEYS[5i-3] its overflow contributors hash 'c:', KEYS[5i-2] its
-- opinions hash 'o:', KEYS[5i-1] its actions hash 'act:', KEYS[5i] its links set 'ln:'; the last key the partition's
-- disputed registry
-- ARGV[1] now (unix seconds), ARGV[2] tombstone keep (seconds), ARGV[2+i] field (storage key) of tombstone i
-- Returns the number of tombstones deleted.
local now, keep = tonumber(ARGV[1]), tonumber(ARGV[2])
local purged = 0
for i = 1, #ARGV - 2 do
  local bucket, field = KEYS[5 * i - 4], ARGV[2 + i]
  local packed = redis.call('HGET', bucket, field)
  if packed then
    local st, _, _, _, _, _, exp = rec_unpack(packed)
    if st ~= 1 and exp ~= 0 and exp + keep <= now then
      redis.call('HDEL', bucket, field)
      redis.call('DEL', KEYS[5 * i - 3], KEYS[5 * i - 2], KEYS[5 * i - 1], KEYS[5 * i])
      redis.call('HDEL', KEYS[#KEYS], field)
      purged = purged + 1
    end
  end
end
return purged
