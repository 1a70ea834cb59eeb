-- SPDX-License-Identifier: GPL-2.0-or-later
-- A dispatcher proxy with replyguard failover, in Lua. The dispatcher set
-- is the R-URI user. HTTP: /RPC is JSON-RPC, /metrics the Prometheus
-- page, and /kemi/<function>/<args...> calls one replyguard function and
-- answers "rc=<its return code>".

local function relay()
	local ra = 0
	-- the first try with rg_allow(), retries with rg_allow_dst($du)
	local rc = KSR.replyguard.rg_allow()
	while rc < 0 do
		local r = tonumber(KSR.pv.get("$rg(retry_after)")) or 0
		if ra == 0 or r < ra then ra = r end
		if KSR.dispatcher.ds_next_dst() < 0 then
			KSR.hdr.append_to_reply("Retry-After: " .. ra .. "\r\n")
			KSR.sl.send_reply(503, "All Destinations Down")
			KSR.x.exit()
		end
		rc = KSR.replyguard.rg_allow_dst(KSR.pv.get("$du"))
	end
	KSR.tm.t_on_reply("ksr_onreply_R")
	KSR.tm.t_on_failure("ksr_failure_F")
	KSR.tm.t_relay()
	KSR.x.exit()
end

function ksr_request_route()
	if KSR.siputils.has_totag() > 0 then
		if KSR.rr.loose_route() > 0 then
			KSR.tm.t_relay()
		elseif KSR.is_ACK() and KSR.tm.t_check_trans() > 0 then
			KSR.tm.t_relay()
		end
		return
	end
	if KSR.is_CANCEL() then
		if KSR.tm.t_check_trans() > 0 then KSR.tm.t_relay() end
		return
	end
	KSR.tm.t_check_trans()
	KSR.rr.record_route()
	local set = tonumber(KSR.pv.get("$rU")) or 0
	if KSR.dispatcher.ds_select_dst(set, 4) < 0 then
		if KSR.replyguard.rg_ds_retry_after(set) > 0 then
			KSR.hdr.append_to_reply("Retry-After: "
				.. KSR.pv.get("$rg(retry_after)") .. "\r\n")
		end
		KSR.sl.send_reply(503, "No Destination")
		return
	end
	relay()
end

function ksr_onreply_R()
	KSR.replyguard.rg_inspect()
end

function ksr_failure_F()
	if KSR.tm.t_is_canceled() > 0 then return end
	if KSR.replyguard.rg_failover() > 0 then relay() end
end

function ksr_replyguard_event(evname)
	KSR.info("RG-EVENT " .. evname .. " " .. KSR.pv.get("$rg(dst)")
		.. " state=" .. KSR.pv.get("$rg(state)") .. "\n")
end

-- /kemi/<function>/<arg1>/<arg2>...
local function kemi_call(path)
	local a = {}
	for part in string.gmatch(path, "[^/]+") do a[#a + 1] = part end
	local f, rg = a[2], KSR.replyguard
	if f == "set_limit" then return rg.rg_set_limit(a[3], tonumber(a[4])) end
	if f == "set_limit_burst" then
		return rg.rg_set_limit_burst(a[3], tonumber(a[4]), tonumber(a[5]))
	end
	if f == "set_limit_all" then
		return rg.rg_set_limit_all(a[3], tonumber(a[4]), tonumber(a[5]),
			tonumber(a[6]))
	end
	if f == "block" then return rg.rg_block(a[3], tonumber(a[4])) end
	if f == "unblock" then return rg.rg_unblock(a[3]) end
	return nil
end

function ksr_xhttp_event(evname)
	local hu = KSR.pv.get("$hu") or ""
	if string.find(hu, "^/metrics") then
		KSR.replyguard.rg_prometheus()
		return
	end
	if string.find(hu, "^/kemi/") then
		local rc = kemi_call(hu)
		if rc == nil then
			KSR.xhttp.xhttp_reply(404, "Not Found", "text/plain", "no such\n")
		else
			KSR.xhttp.xhttp_reply(200, "OK", "text/plain", "rc=" .. rc .. "\n")
		end
		return
	end
	KSR.jsonrpcs.dispatch()
end
