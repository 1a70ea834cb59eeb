#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kemi_python: the failover_retry_after scenario with the routing in Python
# (app_python3, KEMI): lib/kemi_case.sh, with routing.py.
. "$(dirname "$0")/../lib/common.sh"
it_init kemi_python
KEMI_DIR=$(dirname "$0")
KEMI_SCRIPT=routing.py
KEMI_LANG=Python
PORT=29460
. "$IT_LIB/kemi_case.sh"
