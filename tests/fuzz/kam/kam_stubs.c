/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What Kamailio's message and SDP parsers need of the rest of the core,
 * for the differential fuzz target (fuzz_sdp.c): the globals they read,
 * silent logging, and no-op hooks. Memory is the C library's (the core is
 * compiled without PKG_MALLOC). Nothing here is Kamailio's own code.
 */
#include <stdlib.h>

#include "core/data_lump_rpl.h"
#include "core/dprint.h"
#include "core/error.h"
#include "core/events.h"
#include "core/globals.h"
#include "core/ip_addr.h"
#include "core/lump_struct.h"
#include "core/mem/shm.h"
#include "core/str.h"

ksr_slog_f _ksr_slog_func = NULL;
int process_no = 0;
int log_stderr = 1;
int log_color = 0;
str *log_prefix_val = NULL;
km_log_f _km_log_func = NULL;
struct log_level_info log_level_info[] = {{"ALERT", 0}, {"BUG", 0},
		{"CRITICAL", 0}, {"ERROR", 0}, {"WARNING", 0}, {"NOTICE", 0},
		{"INFO", 0}, {"DEBUG", 0}};
volatile int dprint_crit = 0;
sr_shm_api_t _shm_root;
static char kam_core_cfg[8192];
void *core_cfg = kam_core_cfg;
int ser_error = 0;
char *cfg_file = NULL;
int phone2tel = 1;

int my_pid(void)
{
	return 0;
}

/* below every level: the parsers log nothing */
int get_debug_level(char *mod, int mlen)
{
	return -10;
}

int get_debug_facility(char *mod, int mlen)
{
	return 0;
}

void dprint_color(int level)
{
}

void dprint_color_reset(void)
{
}

int get_valid_proto_string(
		unsigned int iproto, int utype, int vtype, str *sproto)
{
	return -1;
}

char *ip_addr2a(struct ip_addr *ip)
{
	return "?";
}

int sr_event_exec(int type, sr_event_param_t *evp)
{
	return 0;
}

void free_lump_list(struct lump *l)
{
}

void free_lump_rpl(struct lump_rpl *l)
{
}

int shm_address_in(void *p)
{
	return 0;
}
