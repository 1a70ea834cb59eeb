/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/cfg/cfg_struct.h"
#include "core/dprint.h"
#include "core/mem/shm.h"
#include "core/pt.h"
#include "core/sr_module.h"
#include "core/ut.h"

#include "rg_cluster.h"
#include "rg_host.h"
#include "rg_notice.h"
#include "rg_queue.h"
#include "rg_webhook.h"

static struct rg_webhook_cfg rg_whc; /* read-only once set */

/* first retry after this, doubling up to the cap */
#define RG_WH_BACKOFF_MS 250
#define RG_WH_BACKOFF_MAX_MS 8000
/* an idle posting process looks at the queue this often */
#define RG_WH_POLL_US 20000
#define RG_WH_BODY_MAX 16384

struct rg_wh_shared
{
	uint64_t sent;
	uint64_t failed;
	uint64_t retries;
	uint32_t holding; /* the posting process holds a notice back: the
						 receiver is down */
};

static struct rg_queue *rg_wh_q = NULL;
static struct rg_wh_shared *rg_wh = NULL;

static int enabled(void)
{
	return rg_wh_q != NULL;
}

/* the URL as logs show it: no credentials, no query */
static char rg_url_log[512];

void rg_webhook_set(const struct rg_webhook_cfg *cfg)
{
	rg_whc = *cfg;
}

int rg_webhook_init(void)
{
	struct rg_buf ub;

	if(rg_whc.url == NULL || *rg_whc.url == '\0')
		return 0;
	rg_buf_init(&ub, rg_url_log, sizeof(rg_url_log));
	rg_buf_url_redacted(&ub, rg_whc.url);
	rg_wh = shm_mallocxz(sizeof(*rg_wh));
	if(rg_wh == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	rg_wh_q = rg_queue_new(
			(unsigned int)rg_whc.queue, sizeof(struct rg_notice));
	if(rg_wh_q == NULL) {
		LM_ERR("no shared memory for a webhook queue of %d notices (%lu "
			   "bytes each): lower webhook_queue or raise -m\n",
				rg_whc.queue, (unsigned long)sizeof(struct rg_notice));
		shm_free(rg_wh);
		rg_wh = NULL;
		return -1;
	}
	register_procs(1);
	cfg_register_child(1);
	return 0;
}

void rg_webhook_destroy(void)
{
	rg_queue_free(rg_wh_q);
	rg_wh_q = NULL;
	if(rg_wh)
		shm_free(rg_wh);
	rg_wh = NULL;
}

void rg_webhook_notify(const struct rg_change *chg)
{
	struct rg_notice n[RG_NOTICES_MAX];
	struct timeval tv;
	int i, k;

	if(!enabled())
		return;
	gettimeofday(&tv, NULL);
	k = rg_notice_from_change(
			chg, (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000, n);
	for(i = 0; i < k; i++) {
		if(rg_queue_push_last(rg_wh_q, &n[i], rg_notice_same) < 0)
			LM_DBG("webhook queue full of last words: %s of %s dropped\n",
					rg_notice_event(n[i].kind),
					rg_log_safe(n[i].snap.key, n[i].snap.key_len));
	}
}

void rg_webhook_get_stats(struct rg_webhook_stats *st)
{
	struct rg_queue_stats qs;

	memset(st, 0, sizeof(*st));
	if(!enabled())
		return;
	rg_queue_stats(rg_wh_q, &qs);
	st->dropped = qs.dropped;
	st->replaced = qs.replaced;
	st->queued = qs.queued
				 + __atomic_load_n(&rg_wh->holding, __ATOMIC_RELAXED);
	st->sent = __atomic_load_n(&rg_wh->sent, __ATOMIC_RELAXED);
	st->failed = __atomic_load_n(&rg_wh->failed, __ATOMIC_RELAXED);
	st->retries = __atomic_load_n(&rg_wh->retries, __ATOMIC_RELAXED);
}

/* ---- the posting process ---- */

static size_t discard(char *p, size_t size, size_t n, void *u)
{
	return size * n;
}

/* "X-Replyguard-Signature: sha256=<hex>" of `body`, into `hdr` */
static int sign(const char *body, size_t len, char *hdr, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mlen = 0, i;
	int n;

	if(HMAC(EVP_sha256(), rg_whc.secret, (int)strlen(rg_whc.secret),
			   (const unsigned char *)body, len, mac, &mlen)
			== NULL)
		return -1;
	n = snprintf(hdr, cap, "X-Replyguard-Signature: sha256=");
	if(n < 0 || (size_t)n + (size_t)2 * mlen + 1 > cap)
		return -1;
	for(i = 0; i < mlen; i++) {
		hdr[n++] = hex[mac[i] >> 4];
		hdr[n++] = hex[mac[i] & 15];
	}
	hdr[n] = '\0';
	return 0;
}

/*
 * One attempt. 1 delivered; 0 worth retrying (transport error, 5xx, 429);
 * -1 refused for good (other status). `why` says what went wrong.
 */
static int post_once(CURL *c, const char *body, size_t len,
		const struct rg_notice *n, char *why, size_t wlen)
{
	struct curl_slist *h = NULL;
	char ev[96], sig[160];
	long status = 0;
	CURLcode rc;

	snprintf(
			ev, sizeof(ev), "X-Replyguard-Event: %s", rg_notice_event(n->kind));
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, ev);
	if(rg_whc.secret != NULL && *rg_whc.secret != '\0'
			&& sign(body, len, sig, sizeof(sig)) == 0)
		h = curl_slist_append(h, sig);
	curl_easy_setopt(c, CURLOPT_URL, rg_whc.url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)rg_whc.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)rg_whc.timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kamailio-replyguard");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(c);
	curl_slist_free_all(h);
	if(rc != CURLE_OK) {
		snprintf(why, wlen, "%s", curl_easy_strerror(rc));
		return 0;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if(status >= 200 && status < 300)
		return 1;
	snprintf(why, wlen, "HTTP status %ld", status);
	return (status >= 500 || status == 429) ? 0 : -1;
}

/* the receiver's state, as this process saw it last */
static int rg_wh_down;			/* the last notice could not be posted */
static uint64_t rg_wh_down_since; /* webhook_retries counted then */

/*
 * Post notice `n`: 1 delivered, -1 refused for good (counted failed),
 * 0 the receiver is down (transport error, 5xx, 429 after the retries;
 * the caller keeps the notice). While it is down a notice gets one
 * attempt per call: a dead receiver costs one webhook_timeout_ms per
 * try, not the retries' sum per notice.
 */
static int deliver(CURL *c, const struct rg_notice *n)
{
	static char body[RG_WH_BODY_MAX];
	unsigned int backoff = RG_WH_BACKOFF_MS;
	struct rg_buf b;
	char why[160];
	int attempt, tries = rg_wh_down ? 1 : rg_whc.retries + 1, rc = 0;

	rg_buf_init(&b, body, sizeof(body));
	if(rg_notice_json(n, rg_node(), &b) < 0) {
		LM_ERR("webhook: %s of %s does not fit in %d bytes: not posted\n",
				rg_notice_event(n->kind),
				rg_log_safe(n->snap.key, n->snap.key_len), RG_WH_BODY_MAX);
		__atomic_add_fetch(&rg_wh->failed, 1, __ATOMIC_RELAXED);
		return -1;
	}
	for(attempt = 0; attempt < tries; attempt++) {
		if(attempt > 0 || rg_wh_down)
			__atomic_add_fetch(&rg_wh->retries, 1, __ATOMIC_RELAXED);
		if(attempt > 0) {
			sleep_us(backoff * 1000);
			if(backoff < RG_WH_BACKOFF_MAX_MS)
				backoff *= 2;
			cfg_update();
		}
		rc = post_once(c, body, b.len, n, why, sizeof(why));
		if(rc != 0)
			break;
	}
	if(rc == 1) {
		__atomic_add_fetch(&rg_wh->sent, 1, __ATOMIC_RELAXED);
		if(rg_wh_down)
			LM_INFO("webhook: posting to %s works again (%llu attempts "
					"failed meanwhile)\n",
					rg_url_log,
					(unsigned long long)(__atomic_load_n(&rg_wh->retries,
												 __ATOMIC_RELAXED)
										 - rg_wh_down_since));
		rg_wh_down = 0;
		return 1;
	}
	if(rc < 0) {
		LM_ERR("webhook: %s refused %s of %s: %s; not posted again\n",
				rg_url_log, rg_notice_event(n->kind),
				rg_log_safe(n->snap.key, n->snap.key_len), why);
		__atomic_add_fetch(&rg_wh->failed, 1, __ATOMIC_RELAXED);
		return -1;
	}
	if(!rg_wh_down) {
		/* one line when the receiver goes away; the rest are counted */
		LM_ERR("webhook: cannot post %s of %s to %s: %s (%d attempts); the "
			   "notices wait, each destination's last word kept, and are "
			   "posted when it answers again (attempts counted in "
			   "replyguard.summary)\n",
				rg_notice_event(n->kind),
				rg_log_safe(n->snap.key, n->snap.key_len), rg_url_log, why,
				attempt);
		rg_wh_down_since =
				__atomic_load_n(&rg_wh->retries, __ATOMIC_RELAXED);
		rg_wh_down = 1;
	}
	return 0;
}

static void webhook_loop(void)
{
	struct rg_notice n;
	unsigned int pause = RG_WH_BACKOFF_MS;
	int have = 0;
	CURL *c;

	if(curl_global_init(CURL_GLOBAL_ALL) != 0
			|| (c = curl_easy_init()) == NULL) {
		LM_ERR("webhook: libcurl cannot start: no webhooks will be posted\n");
		for(;;)
			sleep(3600);
	}
	LM_INFO("webhook: posting state changes to %s\n", rg_url_log);
	for(;;) {
		cfg_update();
		if(!have && rg_queue_pop(rg_wh_q, &n) != 1) {
			sleep_us(RG_WH_POLL_US);
			continue;
		}
		have = 1;
		if(deliver(c, &n) != 0) {
			have = 0;
			pause = RG_WH_BACKOFF_MS;
			__atomic_store_n(&rg_wh->holding, 0, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_store_n(&rg_wh->holding, 1, __ATOMIC_RELAXED);
		/* the receiver is down: this notice waits its turn (the queue
		 * keeps the later ones, and each destination's last word when it
		 * fills), tried again after a pause that doubles to the cap */
		sleep_us(pause * 1000);
		if(pause < RG_WH_BACKOFF_MAX_MS)
			pause *= 2;
	}
}

int rg_webhook_child_init(int rank)
{
	int pid;

	if(rank != PROC_MAIN || !enabled())
		return 0;
	pid = fork_process(PROC_NOCHLDINIT, "replyguard webhook", 1);
	if(pid < 0) {
		LM_ERR("cannot fork the webhook process\n");
		return -1;
	}
	if(pid == 0) {
		if(cfg_child_init())
			return -1;
		webhook_loop();
	}
	return 0;
}
