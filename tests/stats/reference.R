# Reference values for lib/stats.c, computed with R's stats package.
#
#   cd tests/stats && Rscript reference.R
#
# writes prop_ci.tsv, binom_test.tsv, chisq.tsv, fisher.tsv, two_props.tsv
# and paired.tsv beside this script.  The C test runner (test_stats.c) reads
# them; R is not needed to run the tests.  Numbers are written with 15
# significant digits; inputs that are not integers with 17, so that C reads
# back exactly the double R used.  "NA" marks a figure that is not
# computable: where R itself errors or returns NaN there, the NA is utfall's
# documented rule (see include/utfall/stats.h), and the comment on the case
# says so.
#
# Outputs are deterministic: set.seed() fixes the random cases.

set.seed(20240611)
options(warn = -1) # chisq.test's "approximation may be incorrect" etc.

num <- function(v) ifelse(is.na(v) | is.nan(v), "NA", sprintf("%.15g", v))
exact_num <- function(v) sprintf("%.17g", v)
int <- function(v) sprintf("%.0f", v) # never 1e+05

write_tsv <- function(rows, file) {
  df <- do.call(rbind, lapply(rows, function(r) as.data.frame(r, stringsAsFactors = FALSE)))
  write.table(df, file, sep = "\t", quote = FALSE, row.names = FALSE)
  cat(sprintf("%s: %d cases\n", file, nrow(df)))
}

# ---- One proportion ---------------------------------------------------------

z_of <- function(level) qnorm((1 + level) / 2)

ci_wilson <- function(x, n, level) prop.test(x, n, conf.level = level, correct = FALSE)$conf.int
ci_exact <- function(x, n, level) binom.test(x, n, conf.level = level)$conf.int
ci_ac <- function(x, n, level) {
  # Agresti-Coull as in package binom (binom.agresti.coull), then clipped
  # to [0, 1]; binom itself does not clip.
  z <- z_of(level); z2 <- z * z
  pt <- (x + z2 / 2) / (n + z2)
  half <- z * sqrt(pt * (1 - pt) / (n + z2))
  c(max(pt - half, 0), min(pt + half, 1))
}
ci_jeffreys <- function(x, n, level) {
  a <- (1 - level) / 2
  c(if (x == 0) 0 else qbeta(a, x + 0.5, n - x + 0.5),
    if (x == n) 1 else qbeta(1 - a, x + 0.5, n - x + 0.5))
}

prop_cases <- list(
  c(0, 1), c(1, 1), c(0, 10), c(10, 10), c(1, 10), c(9, 10), c(5, 10),
  c(83, 210), c(45, 108), c(7, 52), c(2, 52), c(58, 210), c(183, 281),
  c(1, 2), c(3, 1063), c(500, 1000), c(1, 100000), c(40000, 100000),
  c(99999, 100000), c(123456, 1000000), c(0, 1000000)
)
for (i in 1:8) { n <- sample(c(2:60, 200, 5000), 1); prop_cases[[length(prop_cases) + 1]] <- c(sample(0:n, 1), n) }

rows <- list()
k <- 0
for (xn in prop_cases) for (level in c(0.95, 0.90, 0.99)) {
  if (level != 0.95 && !(xn[2] %in% c(10, 52, 1000))) next
  x <- xn[1]; n <- xn[2]
  for (m in c("wilson", "exact", "agresti-coull", "jeffreys")) {
    ci <- switch(m, wilson = ci_wilson(x, n, level), exact = ci_exact(x, n, level),
                 "agresti-coull" = ci_ac(x, n, level), jeffreys = ci_jeffreys(x, n, level))
    k <- k + 1
    rows[[k]] <- list(id = sprintf("prop%03d", k), x = int(x), n = int(n), level = num(level), method = m,
                      estimate = num(x / n), lower = num(ci[1]), upper = num(ci[2]))
  }
}
# n = 1e7 near the centre: GSL's incomplete beta gives up there, utfall
# falls back to its own series.
for (level in c(0.5, 0.1)) for (m in c("exact", "jeffreys")) {
  x <- 1250000; n <- 10000000
  ci <- if (m == "exact") ci_exact(x, n, level) else ci_jeffreys(x, n, level)
  k <- k + 1
  rows[[k]] <- list(id = sprintf("prop%03d_big", k), x = int(x), n = int(n), level = num(level),
                    method = m, estimate = num(x / n), lower = num(ci[1]), upper = num(ci[2]))
}
# n = 0: R refuses (prop.test/binom.test error); utfall gives NA.
for (m in c("wilson", "exact", "agresti-coull", "jeffreys")) {
  k <- k + 1
  rows[[k]] <- list(id = sprintf("prop%03d_n0", k), x = 0, n = 0, level = "0.95", method = m,
                    estimate = "NA", lower = "NA", upper = "NA")
}
write_tsv(rows, "prop_ci.tsv")

# ---- Binomial tests ---------------------------------------------------------

binom_cases <- list(
  c(0, 1, 0.5), c(1, 1, 0.5), c(0, 10, 0), c(3, 10, 0), c(10, 10, 1), c(3, 10, 1),
  c(0, 10, 1), c(83, 210, 0.35), c(45, 108, 0.35), c(7, 52, 0.6), c(2, 52, 0.1),
  c(183, 205, 0.5), c(22, 205, 0.5), c(5, 10, 0.5), c(4, 10, 0.5), c(6, 10, 0.5),
  c(1, 3, 1 / 3), c(2, 6, 1 / 3), c(0, 5, 0.2), c(5, 5, 0.2), c(3, 7, 0.3),
  c(50, 100, 0.5), c(60, 100, 0.5), c(40, 100, 0.45), c(10, 30, 0.1),
  c(480, 1000, 0.5), c(30000, 100000, 0.3), c(30500, 100000, 0.3),
  c(510000, 1000000, 0.5), c(12, 1000000, 1e-5), c(1828802, 3971306, 0.4605),
  c(4740421, 9912606, 0.47726), c(5001234, 10000000, 0.5), c(1, 20, 0.001), c(19, 20, 0.999)
)
for (i in 1:10) {
  n <- sample(c(1:80, 300, 2000), 1); p0 <- round(runif(1), 3)
  binom_cases[[length(binom_cases) + 1]] <- c(rbinom(1, n, runif(1)), n, p0)
}
rows <- list()
for (i in seq_along(binom_cases)) {
  x <- binom_cases[[i]][1]; n <- binom_cases[[i]][2]; p0 <- binom_cases[[i]][3]
  rows[[i]] <- list(id = sprintf("binom%03d", i), x = int(x), n = int(n), p0 = exact_num(p0),
                    p_greater = num(binom.test(x, n, p0, alternative = "greater")$p.value),
                    p_two_sided = num(binom.test(x, n, p0)$p.value))
}
# n = 0: R refuses; utfall gives NA.
rows[[length(rows) + 1]] <- list(id = "binom_n0", x = 0, n = 0, p0 = "0.5",
                                 p_greater = "NA", p_two_sided = "NA")
write_tsv(rows, "binom_test.tsv")

# ---- Chi-square -------------------------------------------------------------

# utfall's rule: drop rows and columns with a zero margin; fewer than two of
# either left means not computable.  R gives NaN with a zero margin, and a
# goodness-of-fit test for a 1 x c matrix, so the reference applies the rule
# first and then asks R.
chisq_ref <- function(m) {
  keep <- m[rowSums(m) > 0, colSums(m) > 0, drop = FALSE]
  dropped <- c(sum(rowSums(m) == 0), sum(colSums(m) == 0))
  if (nrow(keep) < 2 || ncol(keep) < 2)
    return(c(NA, NA, NA, NA, NA, dropped))
  t <- chisq.test(keep, correct = FALSE)
  c(t$statistic, t$parameter, t$p.value, min(t$expected), sum(t$expected < 5), dropped)
}
chisq_tables <- list(
  matrix(c(38, 64, 45, 63), 2, byrow = TRUE),                       # AMA by region
  matrix(c(26, 74, 18, 82, 20, 80), 3, byrow = TRUE),               # SE/FS/CM
  matrix(c(24, 7, 7, 64, 34, 3, 8, 63), 2, byrow = TRUE),           # outcome by region
  matrix(c(1, 0, 0, 1), 2), matrix(c(3, 1, 1, 3), 2), matrix(c(5, 0, 0, 0), 2),
  matrix(c(2, 3, 0, 0, 4, 1), 2, byrow = TRUE),                     # zero column
  matrix(c(2, 3, 4, 0, 0, 0, 1, 5, 2), 3, byrow = TRUE),            # zero row
  matrix(c(0, 0, 0, 0), 2),                                         # empty
  matrix(c(3, 4, 5), 1),                                            # one row
  matrix(c(0, 0, 0, 3, 4, 5), 2, byrow = TRUE),                     # one row left
  matrix(c(10, 10, 10, 10), 2),                                     # statistic 0
  matrix(c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), 3, byrow = TRUE),
  matrix(c(120000, 80000, 95000, 105000), 2, byrow = TRUE),         # big counts
  matrix(c(500, 1, 1, 500), 2)                                      # tiny p
)
for (i in 1:8) {
  r <- sample(2:5, 1); cc <- sample(2:5, 1)
  chisq_tables[[length(chisq_tables) + 1]] <-
    matrix(rpois(r * cc, sample(c(2, 6, 30, 300), 1)), r)
}
rows <- list()
for (i in seq_along(chisq_tables)) {
  m <- chisq_tables[[i]]
  v <- chisq_ref(m)
  rows[[i]] <- list(id = sprintf("chisq%03d", i), nrows = nrow(m), ncols = ncol(m),
                    counts = paste(int(as.vector(t(m))), collapse = ","),
                    statistic = num(v[1]), df = num(v[2]), p_value = num(v[3]),
                    min_expected = num(v[4]), cells_below_5 = num(v[5]),
                    rows_dropped = v[6], cols_dropped = v[7])
}
write_tsv(rows, "chisq.tsv")

# ---- Fisher 2 x 2 -----------------------------------------------------------

fisher_tables <- list(
  c(3, 1, 1, 3), c(1, 0, 0, 1), c(0, 0, 0, 0), c(0, 0, 3, 4), c(0, 5, 0, 7),
  c(7, 45, 2, 50), c(38, 64, 45, 63), c(10, 0, 0, 10), c(1, 9, 11, 3),
  c(2, 3, 4, 6), c(5, 5, 5, 5), c(26, 74, 18, 82), c(0, 10, 10, 0),
  c(200, 300, 250, 250), c(1, 1, 1, 1), c(12, 5, 3, 20), c(0, 1, 1, 0),
  c(4, 2, 2, 4), c(6, 0, 1, 7)
)
for (i in 1:8) fisher_tables[[length(fisher_tables) + 1]] <- rpois(4, sample(c(1, 4, 15, 80), 1))
rows <- list()
for (i in seq_along(fisher_tables)) {
  v <- fisher_tables[[i]] # a b c d: first row a b, second row c d
  m <- matrix(v[c(1, 3, 2, 4)], 2)
  rows[[i]] <- list(id = sprintf("fisher%03d", i), a = int(v[1]), b = int(v[2]), c = int(v[3]), d = int(v[4]),
                    p_value = num(fisher.test(m)$p.value))
}
write_tsv(rows, "fisher.tsv")

# ---- Two proportions --------------------------------------------------------

newcombe <- function(x1, n1, x2, n2, level) {
  # Newcombe (1998) method 10: hybrid score from the two Wilson intervals.
  if (n1 == 0 || n2 == 0) return(c(NA, NA, NA))
  p1 <- x1 / n1; p2 <- x2 / n2
  w1 <- prop.test(x1, n1, conf.level = level, correct = FALSE)$conf.int
  w2 <- prop.test(x2, n2, conf.level = level, correct = FALSE)$conf.int
  d <- p1 - p2
  c(d, d - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2), d + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}
katz <- function(x1, n1, x2, n2, level) {
  # Log (Katz) interval; utfall's rule where it is not defined:
  # n = 0 or x2 = 0 -> all NA; x1 = 0 < x2 -> rr 0, interval NA.
  if (n1 == 0 || n2 == 0 || x2 == 0) return(c(NA, NA, NA))
  rr <- (x1 / n1) / (x2 / n2)
  if (x1 == 0) return(c(0, NA, NA))
  se <- sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
  z <- z_of(level)
  c(rr, exp(log(rr) - z * se), exp(log(rr) + z * se))
}
two_cases <- list(
  c(26, 100, 18, 100, 0.95), c(260, 1000, 180, 1000, 0.95), c(45, 108, 38, 102, 0.95),
  c(45, 108, 38, 102, 0.90), c(0, 10, 0, 10, 0.95), c(10, 10, 0, 10, 0.95),
  c(0, 10, 10, 10, 0.95), c(10, 10, 10, 10, 0.95), c(1, 1, 0, 1, 0.95),
  c(5, 20, 0, 15, 0.95), c(0, 20, 3, 15, 0.95), c(3, 0 + 5, 2, 0 + 5, 0.99),
  c(0, 0, 3, 10, 0.95), c(3, 10, 0, 0, 0.95), c(117, 1063, 93, 1063, 0.95),
  c(50000, 100000, 49000, 100000, 0.95), c(1, 3, 2, 3, 0.95)
)
for (i in 1:6) {
  n1 <- sample(c(5:80, 400), 1); n2 <- sample(c(5:80, 400), 1)
  two_cases[[length(two_cases) + 1]] <- c(rbinom(1, n1, 0.4), n1, rbinom(1, n2, 0.3), n2, 0.95)
}
rows <- list()
for (i in seq_along(two_cases)) {
  v <- two_cases[[i]]
  nd <- newcombe(v[1], v[2], v[3], v[4], v[5])
  rr <- katz(v[1], v[2], v[3], v[4], v[5])
  rows[[i]] <- list(id = sprintf("two%03d", i), x1 = int(v[1]), n1 = int(v[2]), x2 = int(v[3]), n2 = int(v[4]),
                    level = num(v[5]), diff = num(nd[1]), diff_lower = num(nd[2]),
                    diff_upper = num(nd[3]), rr = num(rr[1]), rr_lower = num(rr[2]),
                    rr_upper = num(rr[3]))
}
write_tsv(rows, "two_props.tsv")

# ---- Paired change ----------------------------------------------------------

paired_ref <- function(id, after, before, tol = 0, level = 0.95) {
  d <- after - before
  n <- length(d)
  inc <- sum(d > tol); dec <- sum(d < -tol); unch <- n - inc - dec
  # t.test: R errors for n < 2 and for essentially constant data, returns
  # NaN for all-zero differences; utfall gives NA in all three cases.
  tt <- tryCatch(t.test(after, before, paired = TRUE, conf.level = level),
                 error = function(e) NULL)
  tv <- if (is.null(tt) || is.nan(tt$statistic)) rep(NA, 4) else
    c(tt$conf.int[1], tt$conf.int[2], tt$statistic, tt$p.value)
  # wilcox.test: R errors for n = 0 and gives p = NA when every d is 0.
  wt <- tryCatch(wilcox.test(after, before, paired = TRUE), error = function(e) NULL)
  wv <- if (is.null(wt)) c(NA, NA, NA) else
    c(wt$statistic, wt$p.value, as.integer(grepl("exact", wt$method)))
  sg <- if (inc + dec > 0) binom.test(inc, inc + dec, 0.5)$p.value else NA
  q <- if (n > 0) quantile(d, c(0.5, 0.25, 0.75)) else c(NA, NA, NA)
  list(id = id, tolerance = exact_num(tol), level = num(level),
       d = if (n == 0) "-" else paste(exact_num(d), collapse = ","),
       n = n, increased = inc, unchanged = unch, decreased = dec,
       mean = num(if (n > 0) mean(d) else NA), sd = num(if (n > 1) sd(d) else NA),
       mean_lower = num(tv[1]), mean_upper = num(tv[2]), t = num(tv[3]),
       df = num(if (n > 1) n - 1 else NA), t_p_value = num(tv[4]),
       median = num(q[1]), q1 = num(q[2]), q3 = num(q[3]),
       wilcoxon_n = sum(d != 0), wilcoxon_v = num(wv[1]), wilcoxon_p_value = num(wv[2]),
       wilcoxon_exact = if (is.na(wv[3])) "NA" else wv[3],
       sign_p_value = num(sg))
}
rows <- list()
add <- function(r) rows[[length(rows) + 1]] <<- r
add(paired_ref("paired_n0", numeric(), numeric()))
add(paired_ref("paired_n1", 12, 10))
add(paired_ref("paired_n1_zero", 10, 10))
add(paired_ref("paired_n2", c(12, 10), c(10, 11)))
add(paired_ref("paired_allzero", c(5, 6, 7, 8), c(5, 6, 7, 8)))
add(paired_ref("paired_constant", c(7, 8, 9), c(5, 6, 7)))        # R: essentially constant
add(paired_ref("paired_allties", c(3, 4, 2, 7, 1), c(1, 2, 4, 5, 3))) # |d| all 2
add(paired_ref("paired_ties", c(10, 12, 9, 15, 20, 7, 11), c(8, 12, 10, 12, 14, 8, 9)))
add(paired_ref("paired_exact_small", c(1.5, 3.25, 7, 2.5, 9), c(1, 1, 1, 1, 1)))
add(paired_ref("paired_exact_neg", c(1, 1, 1, 1, 1, 1), c(1.5, 3.25, 7, 2.5, 9, 0.1)))
add(paired_ref("paired_tol", c(10, 10.5, 9.5, 14, 6, 10.25), c(10, 10, 10, 10, 10, 10), tol = 0.5))
add(paired_ref("paired_tol_level", c(10, 10.5, 9.5, 14, 6, 10.25, 13), c(10, 10, 10, 10, 10, 10, 8),
               tol = 1, level = 0.9))
add(paired_ref("paired_fractions", c(0.3, 0.7, 1.1), c(0.1, 0.4, 0.6)))
# around n = 50 distinct, nonzero differences: exact below 50, normal at 50+
for (n in c(48, 49, 50, 51)) {
  before <- round(runif(n, 0, 20), 2)
  d <- sample(seq(0.01, 40, by = 0.01), n) * sample(c(-1, 1, 1), n, replace = TRUE)
  add(paired_ref(sprintf("paired_distinct_%d", n), before + d, before))
}
# n = 49 distinct plus one zero: zeros force the normal approximation
before <- round(runif(50, 0, 20), 1)
d <- c(0, seq(0.5, by = 0.5, length.out = 49) * sample(c(-1, 1, 1), 49, replace = TRUE))
add(paired_ref("paired_49_plus_zero", before + d, before))
# weekly activity hours, AMA-like: many ties and zeros
for (i in 1:5) {
  n <- sample(c(15, 40, 120, 281), 1)
  before <- sample(0:20, n, replace = TRUE)
  after <- pmax(0, before + sample(c(-5:-1, rep(0, 4), 1:25), n, replace = TRUE))
  add(paired_ref(sprintf("paired_hours_%d", i), after, before, tol = sample(c(0, 1), 1)))
}
# continuous random
for (i in 1:4) {
  n <- sample(c(3, 8, 30, 70), 1)
  before <- round(rnorm(n, 20, 5), 1)
  after <- round(before + rnorm(n, 1, 3), 1)
  add(paired_ref(sprintf("paired_random_%d", i), after, before))
}
write_tsv(rows, "paired.tsv")
