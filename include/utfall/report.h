/* utfall — the results section of a slutrapport, from one extract.
 *
 * A report is one document of tables (the same tables the analysis
 * commands write, under report-wide keys) plus an ordered list of blocks
 * that say how people read it: headings, paragraphs, tables and figures.
 * Writers render the blocks: PDF (lib/render/report_pdf.c), Markdown
 * (pandoc-friendly: ATX headings, pipe tables, figures as image links) and
 * XLSX (the tables, one sheet each, after a Definitions sheet). */
#ifndef UTFALL_REPORT_H
#define UTFALL_REPORT_H

#include <stdio.h>

#include "utfall/chart.h"
#include "utfall/ekonomi.h"
#include "utfall/extract.h"
#include "utfall/goals_file.h"
#include "utfall/horizon.h"
#include "utfall/period.h"
#include "utfall/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Each computation reads the extract from its start: the report asks for
 * a fresh reader every time.  pass is 0 for the first reading (the one
 * whose warnings and rejected rows should be reported) and counts up. */
typedef utfall_status (*utfall_report_open_fn)(void *ctx, int pass, utfall_extract **x,
                                               utfall_error *err);

typedef struct utfall_report_options {
    const char *title;         /* NULL: the goals file's title, else a generic one */
    const char *extract_name;  /* as shown in the title block */
    const char *date;          /* shown in the generated-by line; NULL = none */
    const utfall_goals *goals; /* NULL: the default goal */
    const utfall_horizon_options *horizon; /* NULL: no section "Utfall efter N månader" */
    long suppress;             /* hide counts below this; 0 = off */
    int audit;                 /* the audit of the protection will be asked for */
    double level;              /* confidence level */
    utfall_lang lang;
    utfall_reporting_period period;      /* the reporting period (utfall_reporting_period_init: every episode) */
    const utfall_ledger *ledger; /* NULL: no section "Ekonomisk redovisning" */
    int heading_level;         /* the title's heading level in Markdown and Word, 1–4
                                * (sections one below it); the PDF is a document of its own */
} utfall_report_options;

UTFALL_API void utfall_report_options_init(utfall_report_options *opt);

typedef enum utfall_block_kind {
    UTFALL_BLOCK_HEADING = 0, /* text, level 1–3 */
    UTFALL_BLOCK_PARAGRAPH,   /* text */
    UTFALL_BLOCK_LIST_ITEM,   /* text, one bullet */
    UTFALL_BLOCK_TABLE,       /* text = the table's key in the document */
    UTFALL_BLOCK_FIGURE       /* text = the image's path ("" until one is set) */
} utfall_block_kind;

typedef struct utfall_report utfall_report;

UTFALL_API utfall_status utfall_report_build(utfall_report **out, utfall_report_open_fn open,
                                             void *open_ctx, const utfall_report_options *opt,
                                             utfall_error *err);
UTFALL_API void utfall_report_free(utfall_report *r);

/* The blocks in reading order, and the tables they refer to.  A
 * heading's level is 1 for the title, 2 for a section, 3 below it:
 * writers that honour utfall_report_heading_level add it, less one. */
UTFALL_API size_t utfall_report_nblocks(const utfall_report *r);
UTFALL_API utfall_block_kind utfall_report_block(const utfall_report *r, size_t i,
                                                 const char **text, int *level);
/* 1 when the table of block i is titled by the heading just before it
 * (a goal's table under the goal as written): running text leaves its
 * title out; a caption or a sheet keeps it. */
UTFALL_API int utfall_report_table_titled_by_heading(const utfall_report *r, size_t i);
/* The options' heading_level (1 = the title is a top-level heading). */
UTFALL_API int utfall_report_heading_level(const utfall_report *r);
UTFALL_API utfall_doc *utfall_report_doc(utfall_report *r);
UTFALL_API utfall_lang utfall_report_lang(const utfall_report *r);
/* The options' date (YYYY-MM-DD), NULL when none was given. */
UTFALL_API const char *utfall_report_date(const utfall_report *r);

/* Put a further figure (an image file, path relative to the Markdown
 * file) right after the table after_table; NULL = at the end.  Markdown
 * writes it as ![caption](path); the PDF, which draws only the report's
 * own figures, leaves it out. */
UTFALL_API utfall_status utfall_report_add_figure(utfall_report *r, const char *after_table,
                                                  const char *path, const char *caption,
                                                  utfall_error *err);

/* The report's own figures (the commands' standard figures, drawn from
 * the report's suppressed tables): FIGURE blocks with a chart.  The PDF
 * writer draws them in place; for Markdown the caller writes each as an
 * image file and sets its path (relative to the Markdown file), and
 * figures without a path are left out.  The caption reads "Figur 1. …". */
UTFALL_API const utfall_chart *utfall_report_figure_chart(const utfall_report *r, size_t i);
UTFALL_API const char *utfall_report_figure_caption(const utfall_report *r, size_t i);
UTFALL_API utfall_status utfall_report_set_figure_path(utfall_report *r, size_t i,
                                                       const char *path, utfall_error *err);

UTFALL_API utfall_status utfall_report_write_md(const utfall_report *r, FILE *out,
                                                utfall_error *err);
UTFALL_API utfall_status utfall_report_write_xlsx(const utfall_report *r, const char *path,
                                                  utfall_error *err);
/* A4 portrait, fonts embedded, page numbers in the footer, the figures
 * drawn in place as vectors; tables are kept with their titles and split
 * (header repeated) only when longer than a page.  Identical bytes on
 * every run: the PDF's dates are the options' date, else
 * SOURCE_DATE_EPOCH, else 2000-01-01. */
UTFALL_API utfall_status utfall_report_write_pdf(const utfall_report *r, const char *path,
                                                 utfall_error *err);
/* A Word document (OOXML, written directly): Word's own heading styles
 * from utfall_report_heading_level on, tables with a header row that
 * repeats on every page and numbers right-aligned, each with its caption
 * ("Tabell 3. …") and notes, the figures as PNG at 300 dpi with their
 * captions.  Identical bytes on every run (the date is the options'
 * date, else SOURCE_DATE_EPOCH, else 2000-01-01). */
UTFALL_API utfall_status utfall_report_write_docx(const utfall_report *r, const char *path,
                                                  utfall_error *err);

#ifdef __cplusplus
}
#endif
#endif
