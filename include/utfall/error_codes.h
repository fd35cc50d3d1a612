/* utfall — the registry of error codes.
 *
 * Every error, warning and note the library or a program reports carries
 * one of these stable codes in utfall_error.code ("bad-date", "nomem"):
 * greppable, testable, and the key a translated message will hang on.
 * One list, so codes cannot drift apart ("nomem" vs "no-memory"): a code
 * is named in C as UTFALL_EC_<NAME>, and a misspelt name does not
 * compile.  Add new codes here, in alphabetical order.
 *
 * X(NAME, "code", "what it means") */
#ifndef UTFALL_ERROR_CODES_H
#define UTFALL_ERROR_CODES_H

#define UTFALL_ERROR_CODES(X) \
    X(ADJUST_ALIASED, "adjust-aliased", "--adjust: a model column is a linear combination of others (warning)") \
    X(ADJUST_NEEDS_REF, "adjust-needs-ref", "--adjust without --ref") \
    X(ADJUST_NO_ROWS, "adjust-no-rows", "--adjust: no model could be fitted at a month (warning)") \
    X(ADJUST_SEPARATION, "adjust-separation", "--adjust: the fit separates the data; estimates infinite (warning)") \
    X(AGE_RANGE, "age-range", "age at enrolment outside the expected range (warning)") \
    X(AMBIGUOUS_DATE, "ambiguous-date", "a date column whose values do not tell day first from month first") \
    X(BAD_ADJUST, "bad-adjust", "--adjust: wrong number of columns") \
    X(BAD_ARGUMENT, "bad-argument", "a library function was called with an impossible argument") \
    X(BAD_COMPETING, "bad-competing", "--competing: a status both success and competing, or no competing status") \
    X(BAD_COUNT, "bad-count", "a count is negative or larger than its total") \
    X(BAD_DATE, "bad-date", "a field is not a date") \
    X(BAD_INTEGER, "bad-integer", "a field is not a whole number in range") \
    X(BAD_KEY, "bad-key", "a pseudonymisation key file is not a key") \
    X(BAD_LEVEL, "bad-level", "a confidence level outside (0, 1)") \
    X(BAD_LOGIT_DATA, "bad-logit-data", "logistic regression input not finite or not 0/1") \
    X(BAD_METHOD, "bad-method", "an unknown interval method") \
    X(BAD_MONTHS, "bad-months", "--months: not 1 to N whole numbers") \
    X(BAD_NUMBER, "bad-number", "a field is not a number") \
    X(BAD_PROBABILITY, "bad-probability", "a null proportion outside [0, 1]") \
    X(BAD_QUOTE, "bad-quote", "malformed CSV quoting") \
    X(BAD_ROWS, "bad-rows", "synth: a number of rows out of range") \
    X(BAD_SURVIVAL_DATA, "bad-survival-data", "survival input inconsistent (groups, times, events)") \
    X(BAD_TOLERANCE, "bad-tolerance", "a tolerance that is negative or not a number") \
    X(BAD_UTF8, "bad-utf8", "text that is neither UTF-8 nor Windows-1252") \
    X(BINARY, "binary", "binary data, not text") \
    X(CANNOT_OPEN, "cannot-open", "a file cannot be opened") \
    X(CHART_CAIRO, "chart-cairo", "cairo failed while drawing a chart") \
    X(CHART_EMPTY, "chart-empty", "chart input without rows") \
    X(CHART_NOT_NUMBER, "chart-not-number", "chart input value not a number") \
    X(CHART_NO_COLUMN, "chart-no-column", "chart input lacks a named column") \
    X(CHART_NO_TABLE, "chart-no-table", "no table for a standard figure") \
    X(CHART_NO_Y, "chart-no-y", "chart: no value column given or found") \
    X(CHART_TOO_BIG, "chart-too-big", "chart size too large") \
    X(CHART_TOO_SMALL, "chart-too-small", "chart size too small") \
    X(CLUSTER_NEEDS_ADJUST, "cluster-needs-adjust", "--cluster without --adjust") \
    X(COLUMN_FROM_WORDS, "column-from-words", "a column read as a field from the words of its heading (note)") \
    X(COX_NEEDS_REF, "cox-needs-ref", "--cox without --ref") \
    X(COX_NO_ROWS, "cox-no-rows", "--cox: no participant with every value (warning)") \
    X(COX_TROUBLE, "cox-trouble", "--cox: no convergence, or hazard ratios 0 or infinite (warning)") \
    X(DATE_ORDER, "date-order", "the order of day and month a date column was read in (note)") \
    X(DATE_SERIAL, "date-serial", "a date column read as Excel day numbers (note)") \
    X(DUPLICATE_COLUMN, "duplicate-column", "two columns of the header are the same field") \
    X(DUPLICATE_ID, "duplicate-id", "an id appears twice where one row per participant is required") \
    X(DUPLICATE_ROW, "duplicate-row", "a row identical to an earlier one (warning)") \
    X(EKONOMI_BAD_AMOUNT, "ekonomi-bad-amount", "ledger: an amount that is not a number of kronor") \
    X(EKONOMI_BAD_MONTH, "ekonomi-bad-month", "ledger: a period that is not a month or a year") \
    X(EKONOMI_BAD_PERIOD, "ekonomi-bad-period", "ledger: a period that ends before it starts, or two ways of giving it") \
    X(EKONOMI_NO_AMOUNT, "ekonomi-no-amount", "ledger: a row without budget and without an amount requisitioned") \
    X(EKONOMI_NO_FINANCIER, "ekonomi-no-financier", "ledger: a row without its financier") \
    X(EKONOMI_UNKNOWN_COLUMN, "ekonomi-unknown-column", "ledger: a column utfall does not know") \
    X(EMPTY_FILE, "empty-file", "an empty input file") \
    X(EMPTY_OUTCOME_LIST, "empty-outcome-list", "an empty list of outcomes") \
    X(EMPTY_TABLE, "empty-table", "a table without cells") \
    X(EXIT_BEFORE_ENROLMENT, "exit-before-enrolment", "exit date before enrolment date") \
    X(FIELD_COUNT, "field-count", "a record with another number of fields than the header") \
    X(FIELD_TOO_LONG, "field-too-long", "a field longer than the limit") \
    X(FIXED_BASE_BY, "fixed-base-by", "--base N combined with --by") \
    X(FOLLOWUP_BEFORE_ENROLMENT, "followup-before-enrolment", "follow-up end before enrolment") \
    X(FUTURE_DATE, "future-date", "a date after today (warning)") \
    X(GOALS_BAD_BASE, "goals-bad-base", "goals file: unknown denominator") \
    X(GOALS_BAD_COUNT, "goals-bad-count", "goals file: not a whole number above 0") \
    X(GOALS_BAD_DATE, "goals-bad-date", "goals file: datum is not a date") \
    X(GOALS_BAD_DAYS, "goals-bad-days", "goals file: mal_dagar is not a number of days above 0") \
    X(GOALS_BAD_GROUP, "goals-bad-group", "goals file: grupp is not column=value") \
    X(GOALS_BAD_HOURS, "goals-bad-hours", "goals file: hours outside 0-168") \
    X(GOALS_BAD_ID, "goals-bad-id", "goals file: malformed goal id") \
    X(GOALS_BAD_INCOME, "goals-bad-income", "goals file: lamnar is not an income source") \
    X(GOALS_BAD_MEASURE, "goals-bad-measure", "goals file: unknown measure") \
    X(GOALS_BAD_OUTCOMES, "goals-bad-outcomes", "goals file: unknown outcome in a list") \
    X(GOALS_BAD_SHARE, "goals-bad-share", "goals file: share outside (0, 100 %]") \
    X(GOALS_BAD_TYPE, "goals-bad-type", "goals file: unknown goal type") \
    X(GOALS_DUPLICATE_ID, "goals-duplicate-id", "goals file: a goal id used twice") \
    X(GOALS_DUPLICATE_KEY, "goals-duplicate-key", "goals file: a key given twice in a block") \
    X(GOALS_DUPLICATE_TITLE, "goals-duplicate-title", "goals file: the title given twice") \
    X(GOALS_EMPTY, "goals-empty", "goals file: no goal") \
    X(GOALS_EMPTY_VALUE, "goals-empty-value", "goals file: a key without a value") \
    X(GOALS_KEY_NOT_FOR_TYPE, "goals-key-not-for-type", "goals file: a key that does not belong to the goal type") \
    X(GOALS_LONG_LINE, "goals-long-line", "goals file: a line too long") \
    X(GOALS_MISSING_KEY, "goals-missing-key", "goals file: a required key is missing") \
    X(GOALS_NUL, "goals-nul", "goals file: a NUL byte") \
    X(GOALS_SYNTAX, "goals-syntax", "goals file: not key: value") \
    X(GOALS_TITLE_BLOCK, "goals-title-block", "goals file: the title not in a block of its own") \
    X(GOALS_TOO_LARGE, "goals-too-large", "goals file: larger than 1 MiB") \
    X(GOALS_TOO_MANY, "goals-too-many", "goals file: too many goals") \
    X(GOALS_UNKNOWN_KEY, "goals-unknown-key", "goals file: an unknown key") \
    X(HOURS_RANGE, "hours-range", "hours a week outside 0-168") \
    X(IMPOSSIBLE_DATE, "impossible-date", "a date-shaped field that is no day of the calendar") \
    X(INCOMPLETE_DOCUMENT, "incomplete-document", "an output lost a table, row or note while being built") \
    X(IS_DIRECTORY, "is-directory", "an input path that is a directory") \
    X(KEEP_NO_COLUMN, "keep-no-column", "pseudonymize --keep names no free-text column") \
    X(KEY_FILE, "key-file", "a key file cannot be read or written") \
    X(KEY_PERMISSIONS, "key-permissions", "a key file others than its owner may read (warning)") \
    X(LINE_TOO_LONG, "line-too-long", "a line longer than the limit") \
    X(LOGIT_DIVERGED, "logit-diverged", "logistic regression diverged") \
    X(LOGIT_INTERNAL, "logit-internal", "logistic regression: inconsistent design after aliasing") \
    X(LOGIT_SINGULAR, "logit-singular", "logistic regression: singular weighted design") \
    X(LOGRANK_SINGULAR, "logrank-singular", "log-rank: singular variance matrix") \
    X(MAP_LABEL_CONFLICT, "map-label-conflict", "a map file gives one class two labels") \
    X(MAP_NO_COLUMN, "map-no-column", "--map names a heading the file does not have") \
    X(MISSING_COLUMN, "missing-column", "a required column is missing") \
    X(MISSING_DATE, "missing-date", "a required date is empty") \
    X(MISSING_FIELD, "missing-field", "no column for a field the command uses (note, or warning with a suggestion)") \
    X(MISSING_ID, "missing-id", "the id is empty") \
    X(NOMEM, "nomem", "out of memory") \
    X(NON_FINITE, "non-finite", "a number that is infinite or not a number") \
    X(NOT_A_FIGURE, "not-a-figure", "a report block that is not a figure") \
    X(NO_FOLLOWUP, "no-followup", "no follow-up end for a participant") \
    X(NO_GROUPS, "no-groups", "--by without a column") \
    X(NO_INPUT, "no-input", "no input file") \
    X(NO_ROWS, "no-rows", "a header without data rows") \
    X(NO_SPELLS, "no-spells", "--spells is required") \
    X(NO_SPELLS_OUTPUT, "no-spells-output", "synth: a preset with spells needs a spells file") \
    X(NO_SUCH_TABLE, "no-such-table", "the document has no table of that name") \
    X(NULL_ARGUMENT, "null-argument", "a required pointer argument is NULL") \
    X(NUL_BYTE, "nul-byte", "a NUL byte in CSV text") \
    X(NUMERIC_FAILURE, "numeric-failure", "a numerical routine failed") \
    X(OPEN_OUTPUT, "open-output", "an output file cannot be created") \
    X(OUTCOME_MAP_SHAPE, "outcome-map-shape", "--outcome-map: not two columns") \
    X(OUTCOME_WITHOUT_EXIT, "outcome-without-exit", "an exit outcome without an exit date (warning)") \
    X(OVERLAPPING_EPISODES, "overlapping-episodes", "two episodes of one id overlap (warning)") \
    X(PDF_CAIRO, "pdf-cairo", "cairo failed while writing the PDF report") \
    X(PDF_PAGES, "pdf-pages", "the PDF layout changed between passes") \
    X(PERSONAL_NUMBER, "personal-number", "a personal identity number in the input (never echoed)") \
    X(PROTECT_DEFINITION, "protect-definition", "a cell's definition is malformed or contradicts the published counts") \
    X(PROTECT_SOLVER, "protect-solver", "the disclosure-control solver failed: nothing is written") \
    X(PROTECT_TOO_LARGE, "protect-too-large", "the disclosure-control problem is too large") \
    X(READ_ERROR, "read-error", "a file cannot be read") \
    X(REF_NEEDS_ONE_BY, "ref-needs-one-by", "--ref needs exactly one --by column") \
    X(RENDER_MODULE, "render-module", "the drawing and Excel module cannot be loaded") \
    X(REPORTED, "reported", "the error was already reported to the user") \
    X(SODIUM, "sodium", "libsodium could not start") \
    X(SPELLS_PER_EXTRACT, "spells-per-extract", "not one --spells per extract") \
    X(SYNTH_CONSTRUCT, "synth-construct", "synth: a preset cannot be constructed") \
    X(TILL_BEFORE_FRAN, "till-before-fran", "a spell ends before it starts") \
    X(TOO_LARGE, "too-large", "a table too large to compute") \
    X(TOO_MANY_KEYS, "too-many-keys", "too many grouping columns") \
    X(TOO_MANY_REJECTED, "too-many-rejected", "more rows rejected than --max-rejected allows (warning)") \
    X(TRANSCODED, "transcoded", "the file was read as Windows-1252 (note)") \
    X(UNBALANCED_QUOTE, "unbalanced-quote", "a quoted field never closed") \
    X(UNKNOWN_COLUMN, "unknown-column", "a column name the extract does not have") \
    X(UNKNOWN_ID, "unknown-id", "an id not among the participants") \
    X(UNKNOWN_INCOME, "unknown-income", "an unknown income source") \
    X(UNKNOWN_KON, "unknown-kon", "an unknown gender value") \
    X(UNKNOWN_OUTCOME, "unknown-outcome", "an unknown exit outcome") \
    X(UNKNOWN_PRESET, "unknown-preset", "synth: an unknown preset") \
    X(UNKNOWN_REF, "unknown-ref", "--ref names a value no participant has") \
    X(UNKNOWN_SECTION, "unknown-section", "--section names no table of the output") \
    X(UNKNOWN_STATUS, "unknown-status", "an unknown spell status") \
    X(UNUSED_COLUMNS, "unused-columns", "columns not read as any field (note)") \
    X(UTF16, "utf16", "UTF-16 text (not accepted)") \
    X(WEAK_KEY, "weak-key", "a pseudonymisation key that is not random (all zeros, a pattern)") \
    X(WRITE_ERROR, "write-error", "an output cannot be written") \
    X(XLSX_NEEDS_FILE, "xlsx-needs-file", "XLSX asked for on a stream")

typedef enum utfall_error_code {
    UTFALL_EC_NONE = 0,
#define UTFALL_EC_ENUM_(name, code, what) UTFALL_EC_##name,
    UTFALL_ERROR_CODES(UTFALL_EC_ENUM_)
#undef UTFALL_EC_ENUM_
    UTFALL_EC_COUNT
} utfall_error_code;

#endif
