/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rg_sdp_fast.c: the plain cases it decides, and what it leaves to
 * Kamailio's parsers. (That its answers equal the parsers' on every
 * input is fuzz_sdp's to show.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "case_filter.h"
#include "rg_sdp_fast.h"

#define SDP                                                                \
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"    \
	"t=0 0\r\nm=audio 6000 RTP/AVP 0\r\n"

/* the body `b` after a blank line, as in a message */
static int session(const char *b)
{
	static char buf[1024];

	buf[0] = '\n';
	strcpy(buf + 1, b);
	return rg_sdpf_session(buf + 1, (int)strlen(b));
}

static int headers(const char *h, int ct_in, int *ct, const char **body)
{
	*ct = ct_in;
	return rg_sdpf_headers(h, h + strlen(h), ct, body);
}

static void test_session(void **state)
{
	(void)state;
	assert_int_equal(session(SDP), 1);
	/* no v=, no o=, no m=: none */
	assert_int_equal(session("o=- 1 1 IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n"), 0);
	assert_int_equal(session("v=0\r\nm=audio 1 RTP/AVP 0\r\n"), 0);
	assert_int_equal(session("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n"), 0);
	/* an m= with no c= anywhere */
	assert_int_equal(session("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n"), 0);
	/* a c= per medium will do */
	assert_int_equal(session("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n"
							 "c=IN IP6 ::1\r\n"),
			1);
	/* an o= line shorter than 15 bytes, an address type that is no IP4/6 */
	assert_int_equal(session("v=0\r\no=a IP4 1.2\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n"), 0);
	assert_int_equal(session("v=0\r\no=- 1 1 IN IP5 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n"), 0);
	/* a c= with no address after its type */
	assert_int_equal(session("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 \r\nm=audio 1 RTP/AVP 0\r\n"), 0);
	/* an m= without a transport */
	assert_int_equal(session("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\nm=audio 1\r\n"), 0);
	/* "x=" not at a line start is not a line */
	assert_int_equal(session("xv=0\r\n"), 0);
}

static void test_headers(void **state)
{
	const char *body;
	int ct;
	const char *h = "Contact: <sip:a@b>\r\nContent-Type: application/sdp\r\n"
					"Content-Length: 123\r\n\r\nv=0";

	(void)state;
	assert_int_equal(headers(h, -1, &ct, &body), 1);
	assert_int_equal(ct, 1);
	assert_string_equal(body, "v=0");
	/* compact forms, blanks around the type */
	assert_int_equal(headers("c:  application/SDP \r\nl: 3\r\n\r\nabc", -1, &ct, &body), 1);
	assert_int_equal(ct, 1);
	/* the first Content-Type counts: one parsed already */
	assert_int_equal(headers("Content-Type: text/plain\r\n\r\n", 1, &ct, &body), 1);
	assert_int_equal(ct, 1);
	assert_int_equal(headers("Content-Type: text/plain\r\n\r\n", -1, &ct, &body), 1);
	assert_int_equal(ct, 0);
	/* none at all */
	assert_int_equal(headers("X-A: 1\r\n\r\nxyz", -1, &ct, &body), 1);
	assert_int_equal(ct, -1);
	/* left to the parsers: a Via, To or CSeq to parse, a folded or
	 * LF-only line, an odd name, a Content-Length that is not digits, no
	 * blank line; a Content-Type with anything but the type is the
	 * parsers' too (rg_sdp.c: ct 0) */
	assert_int_equal(headers("Via: SIP/2.0/UDP h\r\n\r\n", -1, &ct, &body), RG_SDPF_UNSURE);
	assert_int_equal(headers("t: <sip:x>\r\n\r\n", -1, &ct, &body), RG_SDPF_UNSURE);
	assert_int_equal(headers("CSeq: 1 INVITE\r\n\r\n", -1, &ct, &body), RG_SDPF_UNSURE);
	assert_int_equal(headers("X: a\r\n b\r\n\r\n", -1, &ct, &body), RG_SDPF_UNSURE);
	assert_int_equal(headers("X: a\n\r\n", -1, &ct, &body), RG_SDPF_UNSURE);
	assert_int_equal(headers("X_Y: a\r\n\r\n", -1, &ct, &body), RG_SDPF_UNSURE);
	assert_int_equal(headers("X : a\r\n\r\n", -1, &ct, &body), RG_SDPF_UNSURE);
	assert_int_equal(headers("l: 1x\r\n\r\n", -1, &ct, &body), RG_SDPF_UNSURE);
	assert_int_equal(headers("l: 1234567890\r\n\r\n", -1, &ct, &body), RG_SDPF_UNSURE);
	assert_int_equal(headers("X: a\r\n", -1, &ct, &body), RG_SDPF_UNSURE);
	/* a bare CR inside a value the parser does not read changes nothing */
	assert_int_equal(headers("X: a\rb\r\n\r\n", -1, &ct, &body), 1);
}

static void test_is_sdp(void **state)
{
	(void)state;
	assert_int_equal(rg_sdpf_is_sdp("application/sdp", 15), 1);
	assert_int_equal(rg_sdpf_is_sdp(" Application/Sdp\t", 17), 1);
	assert_int_equal(rg_sdpf_is_sdp("application / sdp", 17), 0);
	assert_int_equal(rg_sdpf_is_sdp("application/sdp;x=1", 19), 0);
	assert_int_equal(rg_sdpf_is_sdp("application/sdpx", 16), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_session),
			cmocka_unit_test(test_headers),
			cmocka_unit_test(test_is_sdp),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
