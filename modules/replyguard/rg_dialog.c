/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "core/dprint.h"
#include "core/mem/shm_mem.h"
#include "modules/dialog/dlg_load.h"

#include "rg_dialog.h"
#include "rg_update.h"

static struct dlg_binds rg_dlgb;
static int rg_dlg_loaded;

/* one per answered call of a capped destination; freed with the dialog */
struct rg_dlg_hold
{
	struct rg_ref ref;
	int done; /* released: the first of the end callbacks wins */
};

void rg_dialog_init(void)
{
	rg_dlg_loaded = load_dlg_api(&rg_dlgb) == 0;
	if(rg_dlg_loaded)
		LM_INFO("dialog module found: answered calls count in flight "
				"until the dialog ends\n");
}

int rg_dialog_enabled(void)
{
	return rg_dlg_loaded;
}

static void rg_dlg_end(struct dlg_cell *dlg, int type, struct dlg_cb_params *p)
{
	struct rg_dlg_hold *h = *p->param;

	if(h == NULL || __atomic_exchange_n(&h->done, 1, __ATOMIC_ACQ_REL))
		return;
	rg_update_release(&h->ref);
}

static void rg_dlg_free(void *param)
{
	shm_free(param);
}

int rg_dialog_hold(struct sip_msg *msg, const struct rg_ref *ref)
{
	struct rg_dlg_hold *h;
	struct dlg_cell *dlg;
	int rc = -1;

	if(!rg_dlg_loaded)
		return -1;
	dlg = rg_dlgb.get_dlg(msg);
	if(dlg == NULL)
		return -1;
	h = shm_malloc(sizeof(*h));
	if(h == NULL) {
		LM_ERR("no shared memory: the call is released at its answer\n");
		goto done;
	}
	h->ref = *ref;
	h->done = 0;
	if(rg_dlgb.register_dlgcb(dlg,
			   DLGCB_TERMINATED | DLGCB_FAILED | DLGCB_EXPIRED | DLGCB_DESTROY,
			   rg_dlg_end, h, rg_dlg_free)
			!= 0) {
		LM_ERR("cannot register a dialog callback: the call is released at "
			   "its answer\n");
		shm_free(h);
		goto done;
	}
	rc = 0;
done:
	rg_dlgb.release_dlg(dlg);
	return rc;
}
