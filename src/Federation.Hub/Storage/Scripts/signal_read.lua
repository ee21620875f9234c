-- Reads records of ONE partition in one round trip, with the calling member's part in each.
-- KEYS[i] bucket hash of item i
-- ARGV[1] partition key prefix 'fed:{pNN}:', ARGV[2] caller's member number (0 = no caller), ARGV[2+i] storage key of item i
-- Returns per item {packed record or false, caller contributes (0/1), caller's opinion (0-3)}.
local prefix = ARGV[1]
local member = tonumber(ARGV[2])
local out = {}
for i = 1, #KEYS do
  local field = ARGV[2 + i]
  local packed = redis.call('HGET', KEYS[i], field)
  local mine, opinion = 0, 0
  if packed and member ~= 0 then
    local m1 = select(12, rec_unpack(packed))
    if m1 == member then
      mine = 1
    elseif m1 == 0 and redis.call('HEXISTS', prefix .. 'c:' .. field, member) == 1 then
      mine = 1
    end
    opinion = tonumber(redis.call('HGET', prefix .. 'o:' .. field, member) or '0')
  end
  out[i] = {packed or false, mine, opinion}
end
return out
