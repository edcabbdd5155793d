-- The request heads of the benchmarks' workload matrix, one definition for every wrk script that
-- sends them (benchmarks/peers/xff.lua, benchmarks/directory/users.lua), so that a cell means the
-- same request in every benchmark:
--   "200": about 200 bytes, a phone app's plainest request (User-Agent, Accept, Accept-Encoding,
--          Accept-Language; the script adds X-Forwarded-For and, where it has one, X-User-Id)
--   "800": about 800 bytes, with an Authorization bearer token, cookies, device and app fields as well
-- A script loads it from beside itself: dofile(script_dir .. "../heads.lua").fields(head)
local heads = {}

function heads.fields(head)
   assert(head == "200" or head == "800", "head: 200 or 800, not " .. tostring(head))
   local fields = {
      ["User-Agent"] = "okhttp/4.12.0 ExampleApp/9.4.1 (Android 14; Pixel 8)",
      ["Accept"] = "application/json",
      ["Accept-Encoding"] = "gzip",
      ["Accept-Language"] = "en-IN,hi;q=0.9,en;q=0.8",
   }
   if head == "800" then
      fields["Authorization"] = "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjIwMjYtMTEifQ." .. string.rep("QmVuY2htYXJr", 26)
      fields["Cookie"] = "session=" .. string.rep("c2Vzc2lvbg", 10) .. "; locale=en_IN; ab=7; consent=1"
      fields["X-Device-Id"] = "0f8fad5b-d9cb-469f-a165-70867728950e"
      fields["X-App-Version"] = "9.4.1 (940100)"
      fields["X-Request-Start"] = "t=1764750000000"
   end
   return fields
end

return heads
