-- The members backing records of ONE partition now, for counting a media item's corroboration across its linked records.
-- KEYS[i] bucket hash of item i (n items), KEYS[n+i] its overflow contributors hash 'c:'
-- ARGV[i] storage key of item i
-- Returns per item the member numbers of its contributors: empty unless the record exists and is ACTIVE.
local n = #ARGV
local out = {}
for i = 1, n do
  local members = {}
  local packed = redis.call('HGET', KEYS[i], ARGV[i])
  if packed then
    local st = rec_unpack(packed)
    if st == 1 then
      local m1 = select(12, rec_unpack(packed))
      if m1 ~= 0 then
        members = {m1}
      else
        for _, m in ipairs(redis.call('HKEYS', KEYS[n + i])) do members[#members + 1] = tonumber(m) end
      end
    end
  end
  out[i] = members
end
return out
