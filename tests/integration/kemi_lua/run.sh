#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kemi_lua: the failover_retry_after scenario with the routing in Lua
# (app_lua, KEMI): lib/kemi_case.sh, with routing.lua.
. "$(dirname "$0")/../lib/common.sh"
it_init kemi_lua
KEMI_DIR=$(dirname "$0")
KEMI_SCRIPT=routing.lua
KEMI_LANG=Lua
PORT=25960
. "$IT_LIB/kemi_case.sh"
