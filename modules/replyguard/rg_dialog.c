/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "core/dprint.h"
#include "core/mem/shm_mem.h"
#include "modules/dialog/dlg_load.h"

#include "rg_dialog.h"
#include "rg_host.h"
#include "rg_update.h"

static struct dlg_binds rg_dlgb;
static int rg_dlg_loaded;

/* one per answered call the dialog tracks; freed with the dialog */
struct rg_dlg_watch
{
	struct rg_ref ref;
	uint64_t answered_ms; /* monotonic: when the 2xx came */
	uint8_t held;		  /* a place in flight to release */
	uint8_t measure;	  /* a duration to count */
	int done; /* ended: the first of the end callbacks wins */
};

void rg_dialog_init(void)
{
	rg_dlg_loaded = load_dlg_api(&rg_dlgb) == 0;
	if(rg_dlg_loaded)
		LM_INFO("dialog module found: answered calls are measured, and "
				"count in flight until the dialog ends\n");
}

int rg_dialog_enabled(void)
{
	return rg_dlg_loaded;
}

static void rg_dlg_end(struct dlg_cell *dlg, int type, struct dlg_cb_params *p)
{
	struct rg_dlg_watch *w = *p->param;
	uint64_t now;

	if(w == NULL || __atomic_exchange_n(&w->done, 1, __ATOMIC_ACQ_REL))
		return;
	/* only a BYE received tells when the call ended: an expired or
	 * failed dialog, or one ended by dialog itself (its timeout's BYE,
	 * dlg.end_dlg: no request), has no duration worth counting */
	if(w->measure) {
		now = rg_now_ms();
		rg_update_call_end(&w->ref,
				now > w->answered_ms ? now - w->answered_ms : 0,
				type == DLGCB_TERMINATED && p->req != NULL, w->held, now);
	} else if(w->held)
		rg_update_release(&w->ref);
}

static void rg_dlg_free(void *param)
{
	shm_free(param);
}

int rg_dialog_watch(struct sip_msg *msg, const struct rg_ref *ref, int held,
		int measure, uint64_t answered_ms)
{
	struct rg_dlg_watch *w;
	struct dlg_cell *dlg;
	int rc = -1;

	if(!rg_dlg_loaded || (!held && !measure))
		return -1;
	dlg = rg_dlgb.get_dlg(msg);
	if(dlg == NULL)
		return -1;
	w = shm_malloc(sizeof(*w));
	if(w == NULL) {
		LM_ERR("no shared memory: the call is released at its answer and "
			   "not measured\n");
		goto done;
	}
	w->ref = *ref;
	w->answered_ms = answered_ms;
	w->held = held != 0;
	w->measure = measure != 0;
	w->done = 0;
	if(rg_dlgb.register_dlgcb(dlg,
			   DLGCB_TERMINATED | DLGCB_FAILED | DLGCB_EXPIRED | DLGCB_DESTROY,
			   rg_dlg_end, w, rg_dlg_free)
			!= 0) {
		LM_ERR("cannot register a dialog callback: the call is released at "
			   "its answer and not measured\n");
		shm_free(w);
		goto done;
	}
	rc = 0;
done:
	rg_dlgb.release_dlg(dlg);
	return rc;
}
