# Reference values for the evaluator's methods in tests/survival
# (test_evaluator.c): the stratified log-rank test (survival::survdiff with
# strata()), cumulative incidence with competing risks (survival's
# multi-state survfit, Aalen–Johansen with the infinitesimal-jackknife
# standard error), Gray's test (cmprsk::cuminc), the Cox model with Efron's
# ties (survival::coxph), Mantel–Haenszel risk difference and ratio with
# the Greenland–Robins variances and the CMH test (stats::mantelhaen.test)
# and cluster-robust logistic regression (sandwich::vcovCL).  The
# Mantel–Haenszel risk ratio and its interval also agree with
# metafor::rma.mh(measure = "RR", add = 0, to = "none"), whose risk
# difference uses Sato's variance instead and so differs.
#
# Run from this folder:  Rscript reference_evaluator.R
# (Debian: r-base-core r-cran-survival r-cran-cmprsk r-cran-sandwich.)
# It rewrites the ev_*.tsv files beside it; the C test reads only those,
# so R is not needed to run the tests.  Numbers carry 15 significant
# digits; NA is written NA.  cuminc() computes Gray's p as 1 - pchisq(),
# which has lost its digits below about 1e-10 (group_without_work's
# 5.6e-13); utfall computes the upper tail directly, and the test accepts
# a difference of 1e-12 there.
suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
  library(sandwich)
})
set.seed(20261201)

num <- function(x) ifelse(is.na(x) & !is.nan(x), "NA", ifelse(is.nan(x), "NaN",
                    ifelse(is.infinite(x), ifelse(x > 0, "Inf", "-Inf"), sprintf("%.15g", x))))
write_tsv <- function(df, file) {
  for (j in seq_along(df)) if (is.numeric(df[[j]])) df[[j]] <- num(df[[j]])
  write.table(df, file, sep = "\t", quote = FALSE, row.names = FALSE)
}

## ------------------------------------------------------ survival-type cases
# time (days, >= 0), status 0 censored / 1 work / 2 studies, group 0..k-1,
# stratum 0..s-1, x numeric, sex 0/1.
cases <- list()
add <- function(name, d, k, s, note) {
  d$case <- name
  cases[[length(cases) + 1]] <<- list(name = name, d = d, k = k, s = s, note = note)
}
sim <- function(n, k, s, rate1 = 1/400, rate2 = 1/900, fu = c(200, 700), gfx = c(1, 0.6, 0.8)) {
  g <- sample(0:(k - 1), n, TRUE); st <- sample(0:(s - 1), n, TRUE)
  x <- round(rnorm(n), 2); sex <- rbinom(n, 1, 0.5)
  t1 <- round(rexp(n, rate1 * gfx[g + 1] * exp(0.3 * x))); t2 <- round(rexp(n, rate2))
  cen <- round(runif(n, fu[1], fu[2]))
  time <- pmin(t1, t2, cen)
  status <- ifelse(time == cen & cen < pmin(t1, t2), 0L, ifelse(t1 <= t2, 1L, 2L))
  data.frame(time, status, group = g, stratum = st, x, sex)
}

# small strata of 5 to 8 people, ties in event days, a stratum with no events
small <- data.frame(
  time =    c(10, 10, 20, 30, 30, 45,   5, 12, 12, 12, 40, 41, 60, 70,   15, 25, 35, 50, 55,
              8, 8, 8, 16, 30, 30, 30, 90),
  status =  c(1,  1,  0,  2,  1,  0,    1,  1,  2,  0,  1,  0,  0,  2,    0,  0,  0,  0,  0,
              1, 2, 1, 1, 0, 1, 2, 0),
  group =   c(0,  1,  2,  0,  1,  2,    0,  0,  1,  1,  2,  2,  0,  1,    0,  1,  2,  0,  1,
              2, 2, 0, 1, 0, 1, 2, 0),
  stratum = c(0,  0,  0,  0,  0,  0,    1,  1,  1,  1,  1,  1,  1,  1,    2,  2,  2,  2,  2,
              3, 3, 3, 3, 3, 3, 3, 3))
small$x <- round(seq(-1, 1, length.out = nrow(small)), 2); small$sex <- rep(0:1, length.out = nrow(small))
add("small_strata", small, 3, 4, "strata of 5-8, ties, stratum 2 without events")
add("three_arms_six_strata", sim(300, 3, 6), 3, 6, "simulated, integer days, heavy ties")
d <- sim(240, 3, 4); d$status[d$group == 2 & d$status == 1] <- 0L
add("group_without_work", d, 3, 4, "group 2 never has cause 1 (Cox: hazard ratio 0)")
d <- sim(150, 2, 3, rate1 = 1/100, fu = c(600, 900))
add("two_arms_most_events", d, 2, 3, "two groups, most have an event")
d <- sim(120, 3, 1); d$time[1:6] <- 0; d$status[1:6] <- c(1, 2, 0, 1, 1, 0)
add("one_stratum_time_zero", d, 3, 1, "no strata; events and censorings at time 0")
d <- sim(200, 4, 5, gfx = c(1, 0.5, 0.8, 1.3)); d$group[d$stratum == 4] <- 1L
add("four_arms_one_arm_stratum", d, 4, 5, "stratum 4 has only group 1")

all_data <- do.call(rbind, lapply(cases, function(cs) cs$d[, c("case", "time", "status", "group",
                                                                 "stratum", "x", "sex")]))
write_tsv(all_data, "ev_data.tsv")
write_tsv(do.call(rbind, lapply(cases, function(cs) data.frame(case = cs$name, n_groups = cs$k,
  n_strata = cs$s, note = cs$note))), "ev_cases.tsv")

lr <- list(); ci <- list(); gr <- list(); cx <- list()
for (cs in cases) {
  d <- cs$d
  d$g <- factor(d$group, levels = 0:(cs$k - 1))
  # stratified log-rank of cause 1 (others censored)
  sd <- survdiff(Surv(time, status == 1) ~ g + strata(stratum), data = d)
  ex <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
  df <- sum(ex > 0) - 1
  lr[[length(lr) + 1]] <- data.frame(case = cs$name, tested = as.integer(df >= 1),
    chisq = sd$chisq, df = df, p_value = if (df >= 1) pchisq(sd$chisq, df, lower.tail = FALSE) else NA)
  # cumulative incidence per group
  d$ev <- factor(d$status, 0:2, c("censor", "work", "studies"))
  fit <- survfit(Surv(time, ev) ~ g, data = d)
  times <- c(0, 5, 10, 12, 30, 100, 365, 456.5625, 1000)
  for (gi in 0:(cs$k - 1)) {
    lab <- paste0("g=", gi)
    if (!any(d$group == gi)) next
    fg <- fit[lab, ]
    sm <- summary(fg, times = times, extend = TRUE)
    for (cause in 1:2) {
      ci[[length(ci) + 1]] <- data.frame(case = cs$name, group = gi, cause = cause, t = sm$time,
        cum_inc = sm$pstate[, cause + 1], se = sm$std.err[, cause + 1],
        ci_low = sm$lower[, cause + 1], ci_high = sm$upper[, cause + 1])
    }
  }
  # Gray's test, without and with strata
  for (stratified in 0:1) {
    cc <- if (stratified) cuminc(d$time, d$status, d$group, strata = d$stratum, cencode = 0)
          else cuminc(d$time, d$status, d$group, cencode = 0)
    tst <- cc$Tests
    for (cause in 1:2) {
      row <- tst[as.character(cause), ]
      gr[[length(gr) + 1]] <- data.frame(case = cs$name, cause = cause, stratified = stratified,
        tested = as.integer(row[["stat"]] >= 0), chisq = row[["stat"]], df = row[["df"]],
        p_value = row[["pv"]])
    }
  }
  # Cox, reference group 0, with and without strata and covariates
  for (stratified in 0:1) for (adjust in 0:1) {
    f <- paste("Surv(time, status == 1) ~ g", if (adjust) "+ x + factor(sex)" else "",
               if (stratified) "+ strata(stratum)" else "")
    m <- suppressWarnings(coxph(as.formula(f), data = d, ties = "efron"))
    co <- summary(m)$coefficients
    ci95 <- exp(confint(m))
    terms <- rownames(co)
    state <- ifelse(is.na(co[, 1]), "aliased",
             ifelse(abs(co[, 1]) > 8 & co[, 3] > 50, "infinite", "ok"))
    cx[[length(cx) + 1]] <- data.frame(case = cs$name, stratified = stratified, adjust = adjust,
      term = sub("factor\\(sex\\)1", "sex", sub("^g", "g", terms)), state = state,
      estimate = co[, 1], se = co[, 3], p_value = co[, 5], hazard_ratio = co[, 2],
      hr_low = ci95[terms, 1], hr_high = ci95[terms, 2], row.names = NULL)
  }
}
write_tsv(do.call(rbind, lr), "ev_logrank_strata.tsv")
write_tsv(do.call(rbind, ci), "ev_cuminc.tsv")
write_tsv(do.call(rbind, gr), "ev_gray.tsv")
write_tsv(do.call(rbind, cx), "ev_cox.tsv")

## ------------------------------------------------------------- Mantel–Haenszel
# Strata as x1 of n1 (group) and x0 of n0 (reference).
mh_cases <- list(
  list(name = "three_strata", t = rbind(c(12, 40, 8, 42), c(5, 20, 6, 25), c(30, 80, 20, 75))),
  list(name = "zero_cells", t = rbind(c(0, 6, 2, 7), c(3, 5, 0, 6), c(4, 8, 4, 8))),
  list(name = "arm_missing_and_singletons",
       t = rbind(c(3, 9, 2, 10), c(2, 4, 0, 0), c(0, 0, 3, 5), c(1, 1, 0, 0), c(6, 15, 4, 12))),
  list(name = "all_or_none", t = rbind(c(5, 5, 2, 6), c(0, 7, 1, 7), c(8, 8, 8, 8))),
  list(name = "many_small", t = t(replicate(25, { n1 <- sample(2:8, 1); n0 <- sample(2:8, 1)
       c(rbinom(1, n1, 0.3), n1, rbinom(1, n0, 0.2), n0) })))
)
mh_rows <- list(); mh_data <- list()
q <- qnorm(0.975)
for (cs in mh_cases) {
  tb <- cs$t; colnames(tb) <- c("x1", "n1", "x0", "n0")
  mh_data[[length(mh_data) + 1]] <- data.frame(case = cs$name, tb)
  u <- tb[tb[, "n1"] > 0 & tb[, "n0"] > 0, , drop = FALSE]
  x1 <- u[, 1]; n1 <- u[, 2]; x0 <- u[, 3]; n0 <- u[, 4]; N <- n1 + n0
  # risk difference, Greenland-Robins (1985) variance (RevMan; meta::metabin)
  w <- sum(n1 * n0 / N)
  rd <- sum((x1 * n0 - x0 * n1) / N) / w
  rd_se <- sqrt(sum((x1 * (n1 - x1) * n0^3 + x0 * (n0 - x0) * n1^3) / (n1 * n0 * N^2))) / w
  # risk ratio, Greenland-Robins variance of log RR
  R <- sum(x1 * n0 / N); S <- sum(x0 * n1 / N); P <- sum((n1 * n0 * (x1 + x0) - x1 * x0 * N) / N^2)
  rr <- if (S > 0) R / S else NA
  lse <- if (R > 0 && S > 0) sqrt(P / (R * S)) else NA
  # CMH, strata with at least 2 participants (mantelhaen.test stops otherwise)
  k <- tb[tb[, "n1"] + tb[, "n0"] >= 2, , drop = FALSE]
  arr <- array(0, c(2, 2, nrow(k)))
  for (i in seq_len(nrow(k))) arr[, , i] <- matrix(c(k[i, 1], k[i, 3], k[i, 2] - k[i, 1], k[i, 4] - k[i, 3]), 2)
  mt <- mantelhaen.test(arr, correct = FALSE)
  mh_rows[[length(mh_rows) + 1]] <- data.frame(case = cs$name, strata_used = nrow(u),
    risk_diff = rd, risk_diff_low = rd - q * rd_se, risk_diff_high = rd + q * rd_se,
    risk_ratio = rr, risk_ratio_low = if (is.na(lse)) NA else exp(log(rr) - q * lse),
    risk_ratio_high = if (is.na(lse)) NA else exp(log(rr) + q * lse),
    cmh_strata = nrow(k), cmh_chi2 = unname(mt$statistic), cmh_p_value = mt$p.value)
}
write_tsv(do.call(rbind, mh_data), "ev_mh_data.tsv")
write_tsv(do.call(rbind, mh_rows), "ev_mh.tsv")

## ---------------------------------------------------- cluster-robust logistic
cl_data <- list(); cl_rows <- list()
expit <- function(x) 1 / (1 + exp(-x))
for (spec in list(list(name = "twenty_five_kommuner", n = 600, G = 25),
                  list(name = "few_clusters", n = 150, G = 6))) {
  cl <- sample(0:(spec$G - 1), spec$n, TRUE)
  ce <- rnorm(spec$G, 0, 0.5)[cl + 1]
  g <- sample(0:2, spec$n, TRUE); x <- round(rnorm(spec$n), 2)
  y <- rbinom(spec$n, 1, expit(-1.2 + c(0, 0.5, 0.2)[g + 1] + 0.4 * x + ce))
  dd <- data.frame(case = spec$name, y, group = g, x, cluster = cl)
  cl_data[[length(cl_data) + 1]] <- dd
  dd$g <- factor(dd$group, levels = 0:2)
  fit <- glm(y ~ g + x, family = binomial, data = dd, control = glm.control(epsilon = 1e-14, maxit = 100))
  V <- vcovCL(fit, cluster = ~cluster)
  b <- coef(fit); se <- sqrt(diag(V)); z <- b / se
  cl_rows[[length(cl_rows) + 1]] <- data.frame(case = spec$name, term = names(b), estimate = b,
    se = se, p_value = 2 * pnorm(-abs(z)), odds_ratio = exp(b), or_low = exp(b - q * se),
    or_high = exp(b + q * se), row.names = NULL)
}
write_tsv(do.call(rbind, cl_data), "ev_cluster_data.tsv")
write_tsv(do.call(rbind, cl_rows), "ev_cluster.tsv")
