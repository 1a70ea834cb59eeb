#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# load_exact: stats_exact at load. children=8, 3 destinations (183 + SDP
# then 200; 183 then 486; 183 then 503), 3 x 6667 = 20001 calls at 3 x 167
# = 501 cps. Every RPC counter must equal what the sipp peers counted.
IT_CASE=load_exact LOAD=1 CALLS=6667 RATE=167 exec bash "$(dirname "$0")/../stats_exact/run.sh"
