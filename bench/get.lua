-- wrk script: GET one path (QC_PATH) with an optional Cookie header (QC_COOKIE), for the RESULT line.
local path = os.getenv("QC_PATH")
local cookie = os.getenv("QC_COOKIE")
local headers = {}
if cookie and cookie ~= "" then headers["Cookie"] = cookie end

request = function()
  return wrk.format("GET", path, headers)
end

dofile("bench/result.lua") -- defines done(): the RESULT line
