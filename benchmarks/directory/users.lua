-- wrk script of the directory benchmark (benchmarks/directory/run.sh).
--
--   wrk -t1 -c64 -d10s -s benchmarks/directory/users.lua http://127.0.0.1:19083/ -- CLIENTS LABEL MODE USERS PREFIX [SEED [HEAD [PATH]]]
--
-- Every request carries X-Forwarded-For (a client of CLIENTS: ADDRESS<TAB>COUNTRY<TAB>REGION lines, as
-- benchmarks/peers/clients.tsv or clients-v6.tsv) and X-User-Id: PREFIX<k>, and asks for PATH
-- (/a100 by default; run.sh's backends answer /a100, /a2k and /a16k with bodies of that size).
--   HEAD "200" (the default) or "800": the matrix's request heads of about 200 or 800 bytes, as
--                benchmarks/heads.lua defines them for every benchmark
--   MODE seq:    k cycles through 0..USERS-1 (the warm set: every user is in the near-cache once seen);
--                requests are formatted once, in init()
--   MODE random: k is drawn uniformly from 0..USERS-1 for every request (the cold set: 10 million users
--                against a near-cache of a million); SEED seeds the draw, so that each run asks for other users
-- The pins are a function of k, the same one run.sh wrote to Redis and the users file:
--   PREFIX "u": k % 3 == 0 is pinned to REGIONS[math.floor(k / 3) % 3]; the others have no pin (their client's region)
--   PREFIX "c": every user is pinned, to REGIONS[k % 3]
-- Every response is checked: the backends echo X-User-Id and X-Forwarded-For and name themselves in
-- X-Backend-Region. done() prints:
--   DIRECTORY_RESULT label=... requests=N duration_s=S rps=R p50_ms=... p90_ms=... p99_ms=... mismatches=M non200=K errors=c/r/w/t/s

local REGIONS = { [0] = "beijing", [1] = "singapore", [2] = "us" }

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("thread_index", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

clients = {}
client_region = {}
formatted = {}
position = 0
mismatches = 0
non200 = 0
label = "-"
mode = "seq"
users = 0
prefix = "u"

local function pin_of(k)
   if prefix == "c" then
      return REGIONS[k % 3]
   end
   if k % 3 == 0 then
      return REGIONS[math.floor(k / 3) % 3]
   end
   return nil
end

head = "200"
target = "/a100"

-- The matrix's request heads, from beside this script (benchmarks/heads.lua).
local heads = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "../heads.lua")

local function headers_for(k, ip)
   local fields = heads.fields(head)
   fields["X-Forwarded-For"] = ip
   fields["X-User-Id"] = prefix .. k
   return fields
end

function init(args)
   local path = args[1]
   label = args[2] or "-"
   mode = args[3] or "seq"
   users = tonumber(args[4])
   prefix = args[5] or "u"
   local seed = tonumber(args[6] or "0")
   head = args[7] or "200"
   target = args[8] or "/a100"
   heads.fields(head) -- refuses any other head
   assert(mode == "seq" or mode == "random", "mode: seq or random, not " .. mode)
   assert(users and users > 0, "users: a count")
   local file = assert(io.open(path, "r"), "cannot open " .. path)
   for line in file:lines() do
      if line:sub(1, 1) ~= "#" then
         local ip, region = line:match("^(%S+)\t%S+\t(%S+)")
         if ip then
            clients[#clients + 1] = ip
            client_region[ip] = region
         end
      end
   end
   file:close()
   assert(#clients > 0, "no clients in " .. path)
   if mode == "seq" then
      for k = 0, users - 1 do
         formatted[k] = wrk.format("GET", target, headers_for(k, clients[k % #clients + 1]))
      end
   end
   position = ((thread_index or 0) * 7919) % users
   math.randomseed(20261205 + 1000 * seed + (thread_index or 0))
end

function request()
   if mode == "seq" then
      position = position + 1
      if position >= users then
         position = 0
      end
      return formatted[position]
   end
   local k = math.random(0, users - 1)
   return wrk.format("GET", target, headers_for(k, clients[k % #clients + 1]))
end

local function header(headers, name)
   local value = headers[name]
   if value == nil then
      local lower = name:lower()
      for key, v in pairs(headers) do
         if key:lower() == lower then
            return v
         end
      end
   end
   return value
end

function response(status, headers, body)
   if status ~= 200 then
      non200 = non200 + 1
      return
   end
   local served = header(headers, "X-Backend-Region")
   local user = header(headers, "X-Echo-User")
   local xff = header(headers, "X-Echo-XFF")
   local client = xff and xff:match("^%s*([^,%s]+)")
   local k = user and tonumber(user:sub(#prefix + 1))
   if served == nil or k == nil or client == nil then
      mismatches = mismatches + 1
      return
   end
   local want = pin_of(k) or client_region[client]
   if want ~= served then
      mismatches = mismatches + 1
   end
end

function done(summary, latency, requests)
   local bad, not200, name = 0, 0, "-"
   for _, thread in ipairs(threads) do
      bad = bad + thread:get("mismatches")
      not200 = not200 + thread:get("non200")
      name = thread:get("label")
   end
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "DIRECTORY_RESULT label=%s requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f mismatches=%d non200=%d errors=%d/%d/%d/%d/%d\n",
      name, summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      bad, not200, e.connect, e.read, e.write, e.timeout, e.status))
end
