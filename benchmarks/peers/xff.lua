-- wrk script of the peer benchmark (benchmarks/peers/run.sh).
--
--   wrk -t1 -c64 -d10s -s benchmarks/peers/xff.lua http://127.0.0.1:18080/ -- benchmarks/peers/clients.tsv [label [head [path]]]
--
-- Every request carries X-Forwarded-For: <one client address>, cycling through clients.tsv
-- (ADDRESS<TAB>COUNTRY<TAB>REGION lines, REGION being where the table says that client lives).
-- head: "200" (the default) sends a head of about 200 bytes, as a phone app's plainest request
-- (User-Agent, Accept, Accept-Encoding, Accept-Language); "800" about 800 bytes (an Authorization
-- bearer token, cookies, device and app fields as well); benchmarks/heads.lua defines both.
-- path: what to ask for (the backends of run.sh answer /a100, /a2k and /a16k with bodies of that
-- size); "/" by default.
-- Every response is checked: the backends answer X-Backend-Region (who served it) and X-Echo-XFF
-- (the X-Forwarded-For they received, whose first address is the client's), so a response from
-- the wrong region is counted as a mismatch, whichever request it answers. done() prints one line:
--
--   PEERS_RESULT label=... requests=N duration_s=S rps=R p50_ms=... p99_ms=... mismatches=M non200=K
--     unchecked=U errors=E (connect/read/write/timeout/status)
--
-- Each wrk thread has its own Lua state: init() loads the file in every thread, and done() (run in
-- the main state) adds the threads' counters up through thread:get().

-- The matrix's request heads, from beside this script (benchmarks/heads.lua).
local heads = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "../heads.lua")

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("thread_index", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

-- Per thread (globals of the thread's own Lua state).
requests_list = {}
expected = {}
position = 0
responses = 0
mismatches = 0
non200 = 0
unchecked = 0   -- 200s whose headers were missing or named a client the file does not have
label = "-"

function init(args)
   local path = args[1] or "benchmarks/peers/clients.tsv"
   label = args[2] or "-"
   local head = args[3] or "200"
   local target = args[4] or "/"
   local fields = heads.fields(head)
   local file = assert(io.open(path, "r"), "cannot open " .. path)
   local n = 0
   for line in file:lines() do
      if line:sub(1, 1) ~= "#" then
         local ip, region = line:match("^(%S+)\t%S+\t(%S+)")
         if ip then
            n = n + 1
            expected[ip] = region
            -- Pre-formatted once: request() only picks the next one.
            local headers = { ["X-Forwarded-For"] = ip }
            for k, v in pairs(fields) do
               headers[k] = v
            end
            requests_list[n] = wrk.format("GET", target, headers)
         end
      end
   end
   file:close()
   assert(n > 0, "no clients in " .. path)
   -- Threads start at different points of the cycle.
   position = ((thread_index or 0) * 7919) % n
end

function request()
   position = position + 1
   if position > #requests_list then
      position = 1
   end
   return requests_list[position]
end

-- HAProxy sends header names in lower case, nginx and Homeport as the backend wrote them.
local function header(headers, name, lower)
   local value = headers[name] or headers[lower]
   if value == nil then
      for k, v in pairs(headers) do
         if k:lower() == lower then
            return v
         end
      end
   end
   return value
end

function response(status, headers, body)
   responses = responses + 1
   if status ~= 200 then
      non200 = non200 + 1
      return
   end
   local served = header(headers, "X-Backend-Region", "x-backend-region")
   local echo = header(headers, "X-Echo-XFF", "x-echo-xff")
   if served == nil or echo == nil then
      unchecked = unchecked + 1
      mismatches = mismatches + 1
      return
   end
   local client = echo:match("^%s*([^,%s]+)")
   local want = client and expected[client]
   if want == nil then
      unchecked = unchecked + 1
      mismatches = mismatches + 1
   elseif want ~= served then
      mismatches = mismatches + 1
   end
end

function done(summary, latency, requests)
   local checked, bad, not200, notchecked = 0, 0, 0, 0
   local name = "-"
   for _, thread in ipairs(threads) do
      checked = checked + thread:get("responses")
      bad = bad + thread:get("mismatches")
      not200 = not200 + thread:get("non200")
      notchecked = notchecked + thread:get("unchecked")
      name = thread:get("label")
   end
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "PEERS_RESULT label=%s requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f mismatches=%d non200=%d unchecked=%d checked=%d errors=%d/%d/%d/%d/%d\n",
      name, summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      bad, not200, notchecked, checked,
      e.connect, e.read, e.write, e.timeout, e.status))
   -- The shape of the tail, for the log (run.sh keeps the fields above).
   io.write(string.format("PEERS_TAIL label=%s p75_ms=%.3f p90_ms=%.3f p95_ms=%.3f p99_ms=%.3f p99.9_ms=%.3f max_ms=%.3f\n",
      name, latency:percentile(75) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
      latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000))
end
