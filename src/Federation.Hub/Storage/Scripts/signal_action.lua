-- Records that one member acted on one record (appeal propagation, docs/governance.md). A member's actions on a record
-- are one value of the record's actions hash: per action '\30' kind '\31' reference '\31' recorded at (unix seconds);
-- references hold no control characters (the hub checks), so the separators cannot occur inside them.
-- KEYS[1] bucket hash, KEYS[2] the record's actions hash 'act:'
-- ARGV[1] storage key, ARGV[2] member number, ARGV[3] action kind, ARGV[4] reference, ARGV[5] now (unix seconds),
-- ARGV[6] most actions per member per record
-- then the bucket layout (layout_one, signal_record.lua): KEYS[3] bucket at twice the modulus, KEYS[4] layout, ARGV[7] assumed modulus
-- Returns {code, packed record, the member's actions}: code 1 recorded, 0 recorded before, -1 no record,
-- -2 not active (retracted, expired or overturned), -3 the member has recorded the most actions already.
local field, member, now = ARGV[1], ARGV[2], tonumber(ARGV[5])
layout_one(field, 1)
local packed = redis.call('HGET', KEYS[1], field)
if not packed then return {-1} end
local st, _, _, _, _, _, exp = rec_unpack(packed)
if st ~= 1 or (exp ~= 0 and exp <= now) then return {-2, packed} end
local mine = redis.call('HGET', KEYS[2], member) or ''
local probe = '\30' .. ARGV[3] .. '\31' .. ARGV[4] .. '\31'
if string.find(mine, probe, 1, true) then return {0, packed, mine} end
local _, count = string.gsub(mine, '\30', '')
if count >= tonumber(ARGV[6]) then return {-3, packed, mine} end
mine = mine .. probe .. ARGV[5]
redis.call('HSET', KEYS[2], member, mine)
return {1, packed, mine}
