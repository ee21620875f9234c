-- Reads records of ONE partition in one round trip, with the calling member's part in each.
-- KEYS[1] the partition's bucket layout, KEYS[1+i] bucket of item i at the assumed modulus (n items), KEYS[1+n+i] at
-- twice that (layout_pick, signal_record.lua); with a caller also KEYS[1+2n+i] its overflow contributors hash 'c:' and
-- KEYS[1+3n+i] its opinions hash 'o:' and KEYS[1+4n+i] its links set 'ln:' (declared, as Redis requires of every key a script touches)
-- ARGV[1] caller's member number (0 = no caller), ARGV[2] the bucket modulus the client assumes, ARGV[2+i] storage key of item i
-- Returns per item {packed record or false, caller contributes (0/1), caller's opinion (0-3), linked signal ids (with a caller)}.
local member = tonumber(ARGV[1])
local n = #ARGV - 2
local ln, ls = layout_of(KEYS[1], ARGV[2])
local out = {}
for i = 1, n do
  local field = ARGV[2 + i]
  local packed = redis.call('HGET', layout_pick(field, ln, ls, KEYS[1 + i], KEYS[1 + n + i]), field)
  local mine, opinion = 0, 0
  if packed and member ~= 0 then
    local m1 = select(12, rec_unpack(packed))
    if m1 == member then
      mine = 1
    elseif m1 == 0 and redis.call('HEXISTS', KEYS[1 + 2 * n + i], member) == 1 then
      mine = 1
    end
    opinion = tonumber(redis.call('HGET', KEYS[1 + 3 * n + i], member) or '0')
    out[i] = {packed, mine, opinion, redis.call('SMEMBERS', KEYS[1 + 4 * n + i])}
  else
    out[i] = {packed or false, mine, opinion}
  end
end
return out
