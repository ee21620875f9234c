-- Writes one overturn notice to a member's notice stream once, whichever replica gets there first (appeal propagation).
-- KEYS[1] the notice's mark 'nm:<notice>', KEYS[2] the member's notice stream
-- ARGV[1] retention (seconds: the mark lives as long as the notice), ARGV[2] oldest entry id to keep (ms), then the
-- entry's field / value pairs
-- Returns 1 written, 0 written before.
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('XADD', KEYS[2], 'MINID', '~', ARGV[2], '*', unpack(ARGV, 3))
return 1
