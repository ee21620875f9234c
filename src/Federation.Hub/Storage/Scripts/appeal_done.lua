-- Forgets a record owing appeal notices once they are all written, unless it was marked again meanwhile (revived and
-- retracted again): then the newer mark stays for the next round.
-- KEYS[1] partition appeals hash; ARGV[1] storage key, ARGV[2] the mark the notices were written for
-- Returns 1 forgotten, 0 marked again meanwhile.
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
