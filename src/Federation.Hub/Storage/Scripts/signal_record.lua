-- The packed signal record, shared by every signal_*.lua script: SignalStore prepends this file to each of them.
-- Layout (decoder and byte offsets: SignalRecordCodec.cs): struct.pack('<BI4I4I4I4I4I4BHHHHBB', status, version,
-- categories, first seen, last seen, expires at, inline member, PDQ quality, extra count, confirmed, disputed,
-- false positive, confidence, share level) with its trailing zero bytes removed: 36 bytes at most, 22 for a typical
-- record (one contributor with a member number below 256, no quality, no opinions, no confidence, GREEN). Never
-- empty: status is 1-3. Confidence is stored + 1 (0 = none stated); share level is stored with GREEN as 0 (so the
-- default costs no byte): 0 GREEN, 1 CLEAR, 3 AMBER, 4 AMBER+STRICT (ShareLevel values otherwise).
-- A 34-byte or shorter record predates the last two fields: the zero padding reads them as none / GREEN.
-- Inline member ~= 0 means exactly one contributor whose categories are the record's; the corroboration count is
-- then 1 and 'extra count' is stored as 0. Inline member = 0: the count is 'extra count' (contributors in 'c:').
-- A 38-byte record of the first layout ('<BBI4I4I4I4I4HHHHI4I4', its last field the inline member's categories,
-- always equal to the record's) is still read, and rewritten in this layout by the next change.
local REC = '<BI4I4I4I4I4I4BHHHHBB'
local REC_FULL = 36
local REC_V1 = '<BBI4I4I4I4I4HHHHI4I4'

-- Returns status, quality, version, categories, first, last, expires, count, confirmed, disputed, false positive,
-- inline member, confidence (stored), share level (stored).
local function rec_unpack(packed)
  if #packed == 38 then
    local st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1 = struct.unpack(REC_V1, packed)
    return st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, 0, 0
  end
  local st, ver, cats, first, last, exp, m1, q, cnt, c1, c2, c3, cf, lv = struct.unpack(REC, packed .. string.rep('\0', REC_FULL - #packed))
  if m1 ~= 0 then cnt = 1 end
  return st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, cf, lv
end

local function rec_pack(st, q, ver, cats, first, last, exp, cnt, c1, c2, c3, m1, cf, lv)
  if m1 ~= 0 then cnt = 0 end
  return (string.gsub(struct.pack(REC, st, ver, cats, first, last, exp, m1, q, cnt, c1, c2, c3, cf, lv), '%z+$', ''))
end

-- One contribution in the overflow hash 'c:': struct.pack('<I4I4BB', categories, expires at, confidence (stored),
-- share level (stored)) with trailing zero bytes removed; an 8-byte value predates the last two fields.
local CON = '<I4I4BB'
local CON_FULL = 10

local function con_unpack(v)
  return struct.unpack(CON, v .. string.rep('\0', CON_FULL - #v))
end

local function con_pack(cats, exp, cf, lv)
  return (string.gsub(struct.pack(CON, cats, exp, cf, lv), '%z+$', ''))
end

-- The record's share level over two contributions: the less restrictive one (stored form, 0 = GREEN ranks 2).
local function lv_loosest(a, b)
  local ra, rb = a, b
  if ra == 0 then ra = 2 end
  if rb == 0 then rb = 2 end
  if rb < ra then return b end
  return a
end

