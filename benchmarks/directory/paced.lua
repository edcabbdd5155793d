-- users.lua with every connection pacing itself: PACE_MS milliseconds on average between a
-- response and the connection's next request (wrk's delay(); drawn from 0 to 2 x PACE_MS each
-- time, so that the connections do not fall into step and arrive in bursts). Two kinds of users,
-- cached and not, then run at about the same request rate, so their p99 compares what a miss costs
-- rather than how often each run met the collector's pauses (a closed loop without a pace serves
-- the faster kind twice as often).
--
--   wrk -t1 -c64 -d10s -s benchmarks/directory/paced.lua URL -- (users.lua's arguments) PACE_MS

local users_init = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "users.lua") or init

pace_ms = 0

function init(args)
   users_init(args)
   pace_ms = tonumber(args[9])
   assert(pace_ms and pace_ms > 0, "PACE_MS: milliseconds, more than 0")
end

function delay()
   return math.random(0, 2 * pace_ms)
end
