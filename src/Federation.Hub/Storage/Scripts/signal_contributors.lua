-- The members backing records of ONE partition now, for counting a media item's corroboration across its linked records.
-- KEYS[1] the partition's bucket layout, KEYS[1+i] bucket of item i at the assumed modulus (n items), KEYS[1+n+i] at
-- twice that (layout_pick, signal_record.lua), KEYS[1+2n+i] its overflow contributors hash 'c:'
-- ARGV[1] the bucket modulus the client assumes, ARGV[1+i] storage key of item i
-- Returns per item the member numbers of its contributors: empty unless the record exists and is ACTIVE.
local n = #ARGV - 1
local ln, ls = layout_of(KEYS[1], ARGV[1])
local out = {}
for i = 1, n do
  local members = {}
  local field = ARGV[1 + i]
  local packed = redis.call('HGET', layout_pick(field, ln, ls, KEYS[1 + i], KEYS[1 + n + i]), field)
  if packed then
    local st = rec_unpack(packed)
    if st == 1 then
      local m1 = select(12, rec_unpack(packed))
      if m1 ~= 0 then
        members = {m1}
      else
        for _, m in ipairs(redis.call('HKEYS', KEYS[1 + 2 * n + i])) do members[#members + 1] = tonumber(m) end
      end
    end
  end
  out[i] = members
end
return out
