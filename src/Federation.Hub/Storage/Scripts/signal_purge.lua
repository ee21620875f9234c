-- Deletes tombstones of ONE partition that signal_expire.lua reported due, with their side hashes. Each is checked
-- again (a submission may have revived it since the sweep read it), so a live record is never deleted.
-- KEYS: 6 per tombstone i: KEYS[6i-5] its bucket hash, KEYS[6i-4] its overflow contributors hash 'c:', KEYS[6i-3] its
-- opinions hash 'o:', KEYS[6i-2] its actions hash 'act:', KEYS[6i-1] its links set 'ln:', KEYS[6i] the frames of its
-- video 'vf:' (touched only for a VPDQ tombstone); the last key the partition's disputed registry
-- ARGV[1] now (unix seconds), ARGV[2] tombstone keep (seconds), ARGV[3] frames grace (seconds), ARGV[3+i] field
-- (storage key) of tombstone i
-- A video's frames are shared by every distribution of the video (coalition-wide and per sharing group: the same
-- identity, so the same bucket). When the last one goes, the frames are given the grace period rather than deleted: a
-- submission of the same video writes its frames before its record and again after it (SET clears the expiry), so a
-- record created while this runs never loses them.
-- Returns the number of tombstones deleted.
local VPDQ, IDENTITY = 6, 33 -- kind byte, then the 32 identity bytes
local now, keep, grace = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local purged = 0
for i = 1, #ARGV - 3 do
  local bucket, field = KEYS[6 * i - 5], ARGV[3 + i]
  local packed = redis.call('HGET', bucket, field)
  if packed then
    local st, _, _, _, _, _, exp = rec_unpack(packed)
    if st ~= 1 and exp ~= 0 and exp + keep <= now then
      redis.call('HDEL', bucket, field)
      redis.call('DEL', KEYS[6 * i - 4], KEYS[6 * i - 3], KEYS[6 * i - 2], KEYS[6 * i - 1])
      redis.call('HDEL', KEYS[#KEYS], field)
      if string.byte(field, 1) == VPDQ then
        local video, shared = string.sub(field, 1, IDENTITY), false
        for _, other in ipairs(redis.call('HKEYS', bucket)) do
          if string.sub(other, 1, IDENTITY) == video then
            shared = true
            break
          end
        end
        if not shared then
          redis.call('EXPIRE', KEYS[6 * i], grace)
        end
      end
      purged = purged + 1
    end
  end
end
return purged
