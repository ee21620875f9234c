-- Reads whole hash classes of ONE partition's records atomically, for scans (feed SNAPSHOT, PDQ and video index loads,
-- TAXII): class c at the assumed modulus n is every record with h mod n = c, held by bucket c and, once c was split,
-- bucket c + n (layout_pick, signal_record.lua). Reading both in one script call sees each record exactly once even
-- while the splitter moves records between them; a changed modulus raises FEDLAYOUT (the client splits its remaining
-- classes and carries on).
-- KEYS[1] the partition's bucket layout, KEYS[1+i] bucket c_i, KEYS[1+m+i] bucket c_i + n (m classes)
-- ARGV[1] the bucket modulus the client assumes, ARGV[2] a kind byte to keep only records of that kind ('' = all)
-- Returns field, value, field, value, ... over all the classes.
layout_of(KEYS[1], ARGV[1])
local m = (#KEYS - 1) / 2
local out = {}
local kind = ARGV[2]
for j = 2, 1 + 2 * m do
  if kind == '' then
    local all = redis.call('HGETALL', KEYS[j])
    for i = 1, #all do out[#out + 1] = all[i] end
  else
    -- HSCAN filters by the kind byte inside Redis (glob MATCH: kind bytes are below 32, never a glob character), so a
    -- PDQ index load moves only PDQ records. A listpack answers in one call; a hashtable may take a few.
    local cursor = '0'
    for _ = 1, 1000 do
      local page = redis.call('HSCAN', KEYS[j], cursor, 'MATCH', kind .. '*', 'COUNT', 10000)
      for i = 1, #page[2] do out[#out + 1] = page[2][i] end
      cursor = page[1]
      if cursor == '0' then break end
    end
  end
end
return out
