// SPDX-License-Identifier: MIT
/*
 * flamegraph.c - folded stacks drawn as a self-contained SVG flame graph
 * (flamegraph.h): a frame is a box as wide as its share of the total, its
 * callees stacked on it, siblings in name order; hovering shows its name,
 * value and share, a click zooms into it, a click on the root (or Escape)
 * zooms out. No external script or font: it opens in any browser.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "../util/vec.h"

#define FG_WIDTH	1200.0
#define FG_PAD		10.0
#define FG_FRAME_H	16
#define FG_TOP		40	/* title and help line */

struct fg_node {
	char *name;
	uint64_t value;		/* its own and its callees' */
	struct fg_node **kids;
	size_t nr;
	size_t cap;
};

static struct fg_node *node_new(const char *name, size_t len)
{
	struct fg_node *n = calloc(1, sizeof(*n));

	if (n && !(n->name = strndup(name, len))) {
		free(n);
		return NULL;
	}
	return n;
}

static void node_free(struct fg_node *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->nr; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n);
}

static struct fg_node *kid_of(struct fg_node *n, const char *name, size_t len)
{
	struct fg_node **k;
	size_t i;

	for (i = 0; i < n->nr; i++) {
		if (strlen(n->kids[i]->name) == len && !memcmp(n->kids[i]->name, name, len))
			return n->kids[i];
	}
	if (VEC_RESERVE(n->kids, n->cap, n->nr + 1))
		return NULL;
	k = &n->kids[n->nr];
	*k = node_new(name, len);
	if (*k)
		n->nr++;
	return *k;
}

/* "a;b;c" with @value under @root. */
static int add_stack(struct fg_node *root, const char *stack, uint64_t value)
{
	struct fg_node *n = root;
	const char *p = stack;
	size_t len;

	root->value += value;
	while (*p) {
		len = strcspn(p, ";");
		n = kid_of(n, p, len);
		if (!n)
			return -ENOMEM;
		n->value += value;
		p += len;
		if (*p == ';')
			p++;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp((*(struct fg_node *const *)a)->name, (*(struct fg_node *const *)b)->name);
}

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, f);
		}
	}
}

/* A warm colour from the name, stable across runs. */
static void colour(const char *name, char *buf, size_t size)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	snprintf(buf, size, "rgb(%u,%u,%u)", 205 + h % 50, 80 + (h >> 8) % 150, (h >> 16) % 60);
}

struct fg_draw {
	FILE *f;
	uint64_t total;
	int depth_max;
	const char *unit;
};

/* The name cut to fit @w pixels (7 a character), as the script does. */
static void label(FILE *f, const char *name, double w)
{
	int fit = (int)((w - 6) / 7);
	size_t len = strlen(name);
	char *cut;

	if (fit < 3)
		return;
	if (len <= (size_t)fit) {
		xml_text(f, name);
		return;
	}
	cut = strndup(name, (size_t)fit - 2);
	if (cut) {
		xml_text(f, cut);
		fputs("..", f);
	}
	free(cut);
}

static int depth_of(const struct fg_node *n)
{
	int d = 0, k;
	size_t i;

	for (i = 0; i < n->nr; i++) {
		k = depth_of(n->kids[i]) + 1;
		d = k > d ? k : d;
	}
	return d;
}

static void draw(struct fg_draw *d, struct fg_node *n, int depth, uint64_t before)
{
	double scale = (FG_WIDTH - 2 * FG_PAD) / (double)(d->total ? d->total : 1);
	double x = FG_PAD + (double)before * scale, w = (double)n->value * scale;
	int y = FG_TOP + (d->depth_max - depth) * FG_FRAME_H;
	char fill[32];
	size_t i;

	colour(n->name, fill, sizeof(fill));
	fprintf(d->f, "<g class=\"f\" data-name=\"");
	xml_text(d->f, n->name);
	fprintf(d->f, "\" data-value=\"%" PRIu64 "\" data-depth=\"%d\"><title>", n->value, depth);
	xml_text(d->f, n->name);
	fprintf(d->f, " (%" PRIu64 " %s, %.2f%%)</title><rect x=\"%.3f\" y=\"%d\" width=\"%.3f\" "
		"height=\"%d\" fill=\"%s\" rx=\"2\"/><text x=\"%.3f\" y=\"%d\">",
		n->value, d->unit, 100.0 * (double)n->value / (double)(d->total ? d->total : 1),
		x, y, w, FG_FRAME_H - 1, depth ? fill : "rgb(200,200,200)", x + 3,
		y + FG_FRAME_H - 4);
	label(d->f, n->name, w);
	fputs("</text></g>\n", d->f);
	if (n->nr > 1)	/* qsort(NULL, 0) is undefined */
		qsort(n->kids, n->nr, sizeof(*n->kids), cmp_names);
	for (i = 0; i < n->nr; i++) {
		draw(d, n->kids[i], depth + 1, before);
		before += n->kids[i]->value;
	}
}

/*
 * Zoom and labels, in the page: a frame's label is its name cut to fit;
 * a click on a frame makes it the full width, its callers stay as bars.
 */
static const char fg_script[] =
"<script><![CDATA[\n"
"var W = %.1f, P = %.1f;\n"
"var gs = Array.prototype.slice.call(document.querySelectorAll('g.f'));\n"
"function label(g) {\n"
"  var r = g.querySelector('rect'), t = g.querySelector('text');\n"
"  var w = parseFloat(r.getAttribute('width')), n = g.getAttribute('data-name');\n"
"  var fit = Math.floor((w - 6) / 7);\n"
"  t.setAttribute('x', parseFloat(r.getAttribute('x')) + 3);\n"
"  t.textContent = fit < 3 ? '' : (n.length <= fit ? n : n.slice(0, fit - 2) + '..');\n"
"}\n"
"gs.forEach(function (g) {\n"
"  var r = g.querySelector('rect');\n"
"  g.x0 = parseFloat(r.getAttribute('x')); g.w0 = parseFloat(r.getAttribute('width'));\n"
"  label(g);\n"
"  g.addEventListener('click', function () { zoom(g); });\n"
"});\n"
"function zoom(z) {\n"
"  var d = parseInt(z.getAttribute('data-depth')), s = (W - 2 * P) / z.w0;\n"
"  gs.forEach(function (g) {\n"
"    var r = g.querySelector('rect'), gd = parseInt(g.getAttribute('data-depth'));\n"
"    var inside = g.x0 + 1e-6 >= z.x0 && g.x0 + g.w0 <= z.x0 + z.w0 + 1e-6;\n"
"    var above = gd >= d && inside, below = gd < d && g.x0 <= z.x0 + 1e-6 &&\n"
"                g.x0 + g.w0 + 1e-6 >= z.x0 + z.w0;\n"
"    g.style.display = above || below ? '' : 'none';\n"
"    r.setAttribute('x', below ? P : P + (g.x0 - z.x0) * s);\n"
"    r.setAttribute('width', below ? W - 2 * P : g.w0 * s);\n"
"    label(g);\n"
"  });\n"
"}\n"
"document.addEventListener('keydown', function (e) {\n"
"  if (e.key === 'Escape') zoom(gs[0]);\n"
"});\n"
"]]></script>\n";

int flamegraph__write(const struct folded *fd, const char *path, const char *title,
		      const char *unit)
{
	struct fg_node *root = node_new("all", 3);
	struct fg_draw d = { .unit = unit };
	int err = 0, height;
	size_t i;

	if (!root)
		return -ENOMEM;
	for (i = 0; i < fd->cap && !err; i++) {
		if (fd->slots[i].stack)
			err = add_stack(root, fd->slots[i].stack, fd->slots[i].value);
	}
	d.f = err ? NULL : fopen(path, "w");
	if (!err && !d.f)
		err = -errno;
	if (err) {
		node_free(root);
		return err;
	}
	d.total = root->value;
	d.depth_max = depth_of(root);
	height = FG_TOP + (d.depth_max + 1) * FG_FRAME_H + 2 * (int)FG_PAD;
	fprintf(d.f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%.0f\" height=\"%d\" viewBox=\"0 0 %.0f %d\" "
		"xmlns=\"http://www.w3.org/2000/svg\" font-family=\"Verdana, sans-serif\" "
		"font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#f8f8f8\"/>\n"
		"<text x=\"%.0f\" y=\"20\" text-anchor=\"middle\" font-size=\"16\">", FG_WIDTH,
		height, FG_WIDTH, height, FG_WIDTH / 2);
	xml_text(d.f, title);
	fprintf(d.f, "</text>\n<text x=\"%.0f\" y=\"34\" fill=\"#666\">%" PRIu64 " %s; hover: "
		"name and share; click: zoom; Escape: all</text>\n", FG_PAD, d.total, unit);
	draw(&d, root, 0, 0);
	fprintf(d.f, fg_script, FG_WIDTH, FG_PAD);
	fputs("</svg>\n", d.f);
	if (fclose(d.f))
		err = -EIO;
	node_free(root);
	return err;
}
