-- wrk script: GET one ops read (QC_PATH) with the admin's bearer token (QC_TOKEN), as the portal's pages and /v1/ops do.
local token = os.getenv("QC_TOKEN")
local path = os.getenv("QC_PATH")

request = function()
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

dofile("bench/result.lua")
