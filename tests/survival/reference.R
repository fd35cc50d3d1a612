# Reference values for tests/survival: Kaplan–Meier (survival::survfit,
# summary.survfit(times=, extend=TRUE)), the log-rank test
# (survival::survdiff) and logistic regression (stats::glm, binomial).
#
# Run from this folder:  Rscript reference.R
# It rewrites the *.tsv files beside it.  The C tests read only the TSV
# files; R is not needed to run them.  Numbers carry 15 significant digits;
# NA is written as NA, infinities as Inf/-Inf.
suppressPackageStartupMessages(library(survival))
set.seed(20240515)
MONTH <- 30.4375

num <- function(x) {
  out <- ifelse(is.na(x) & !is.nan(x), "NA",
         ifelse(is.nan(x), "NaN",
         ifelse(is.infinite(x), ifelse(x > 0, "Inf", "-Inf"),
                sprintf("%.15g", x))))
  out
}
write_tsv <- function(df, file) {
  for (j in seq_along(df)) if (is.numeric(df[[j]])) df[[j]] <- num(df[[j]])
  write.table(df, file, sep = "\t", quote = FALSE, row.names = FALSE)
}

## ---------------------------------------------------------------- KM cases
# Each case: time (days, >= 0), event 0/1, group 0..k-1 (k may include an
# empty level).
km_cases <- list()
add_km <- function(name, time, event, group, k, note) {
  km_cases[[length(km_cases) + 1]] <<- list(name = name, time = time,
    event = event, group = group, k = k, note = note)
}

add_km("ties_single", c(2,3,3,3,5,6,6,8,10,12), c(1,1,1,0,0,1,0,1,0,1),
       rep(0, 10), 1, "one group, tied events and an event tied with a censoring; S reaches 0")
add_km("event_censor_tie", c(1,2,2,2,2,4,4,5), c(1,1,0,1,0,1,0,0), rep(0, 8), 1,
       "events and censorings at the same time: events first")
add_km("two_groups_small", c(6,6,6,6,7,9,10,10,11,13,16,17,19,20,22,23,25,32,32,34,35,
                             1,1,2,2,3,4,4,5,5,8,8,8,8,11,11,12,12,15,17,22,23),
       c(1,1,1,0,1,0,1,0,0,1,1,0,0,0,1,1,0,0,0,0,0, rep(1,21)),
       c(rep(0,21), rep(1,21)), 2, "Gehan leukaemia data (6-MP vs placebo)")
add_km("no_events_group", c(10,20,20,35,40,50, 15,25,30,45,60, 12,22,33,44),
       c(1,1,0,1,0,1, 0,0,0,0,0, 1,0,1,1), c(rep(0,6), rep(1,5), rep(2,4)), 3,
       "group 1 has no events but is at risk throughout")
add_km("censored_before_first_event", c(100,150,150,200,300,400, 10,20,30, 120,250,500),
       c(1,1,0,1,1,0, 0,0,0, 1,0,1), c(rep(0,6), rep(1,3), rep(2,3)), 3,
       "group 1 fully censored before any event: expected 0, left out of the log-rank df")
add_km("empty_level", c(5,8,12,12,20, 3,9,9,15), c(1,0,1,1,0, 1,1,0,1),
       c(0,0,0,0,0, 2,2,2,2), 3, "level 1 has no observations")
add_km("time_zero", c(0,0,0,1,2,3,3, 0,2,4), c(1,0,1,0,1,1,0, 0,1,1),
       c(rep(0,7), rep(1,3)), 2, "events and censorings at time 0")
add_km("single_obs_group", c(4,6,7,9,11, 5), c(1,0,1,1,0, 1), c(0,0,0,0,0, 1), 2,
       "a group with one observation (S drops to 0)")
add_km("all_events", c(3,5,5,8,13, 2,4,6,6,9), rep(1, 10), c(rep(0,5), rep(1,5)), 2,
       "no censoring")
add_km("no_events_at_all", c(30,60,90, 45,75), rep(0, 5), c(0,0,0,1,1), 2,
       "no events anywhere: no log-rank test")
add_km("fractional_times", c(0.5,1.25,1.25,2.75,3.1,4.9,4.9,6.02, 0.75,1.25,2.75,2.75,5.5),
       c(1,1,0,1,0,1,1,0, 0,1,1,0,1), c(rep(0,8), rep(1,5)), 2, "non-integer times, ties across groups")
add_km("one_group_only_events", c(10,20,30, 15,25,35), c(0,0,0, 1,0,1), c(0,0,0,1,1,1), 2,
       "only one group has events (log-rank still 1 df)")

# Larger, enrolment-like cases: days to first success spell, censored at
# the follow-up end.
sim_group <- function(n, rate, fu_max) {
  ev <- round(rexp(n, rate))
  cen <- round(runif(n, 200, fu_max))
  cen[sample(n, n %/% 10)] <- round(runif(n %/% 10, 1, 200))  # early drop-outs
  list(time = pmin(ev, cen), event = as.integer(ev <= cen))
}
g1 <- sim_group(120, 1/1100, 700); g2 <- sim_group(100, 1/1700, 700); g3 <- sim_group(110, 1/1500, 700)
add_km("trial_three_methods", c(g1$time, g2$time, g3$time), c(g1$event, g2$event, g3$event),
       c(rep(0,120), rep(1,100), rep(2,110)), 3, "SE/FS/CM-like, integer days, heavy ties")
g1 <- sim_group(400, 1/900, 900); g2 <- sim_group(380, 1/1200, 900)
add_km("large_two_groups", c(g1$time, g2$time), c(g1$event, g2$event),
       c(rep(0,400), rep(1,380)), 2, "780 rows, integer days")
g1 <- sim_group(40, 1/300, 500); g2 <- sim_group(35, 1/500, 500)
g3 <- list(time = round(runif(15, 20, 300)), event = rep(0L, 15))
g4 <- sim_group(25, 1/200, 500)
add_km("four_groups_mixed", c(g1$time, g2$time, g3$time, g4$time),
       c(g1$event, g2$event, g3$event, g4$event),
       c(rep(0,40), rep(1,35), rep(2,15), rep(3,25)), 4,
       "group 2 has no events and is censored before the 15-month horizon")
g1 <- sim_group(30, 1/400, 400)
g2 <- list(time = round(runif(20, 10, 200)), event = rep(0L, 20))
add_km("censored_before_horizon", c(g1$time, g2$time), c(g1$event, g2$event),
       c(rep(0,30), rep(1,20)), 2, "group 1 fully censored before day 456.5625 (month 15)")
add_km("month_boundaries", c(30,31,60,61,91,91,122,152,183,213,243,274,304,335,365,396,426,456,457,487),
       c(1,0,1,1,0,1,1,0,1,1,0,1,0,1,1,0,1,1,0,1), rep(c(0,1), 10), 2,
       "observations right at m x 30.4375 boundaries")
add_km("early_cluster", c(rep(1,8), rep(2,5), 3, 4, rep(1,6), 5, 6, 7), c(1,1,1,1,0,0,1,1, 1,1,0,0,1, 0, 1, 1,0,0,1,1,0, 1, 0, 1),
       c(rep(0,15), rep(1,9)), 2, "many ties at the first times")

km_data <- do.call(rbind, lapply(km_cases, function(cs)
  data.frame(case = cs$name, time = cs$time, event = cs$event, group = cs$group)))
km_meta <- do.call(rbind, lapply(km_cases, function(cs)
  data.frame(case = cs$name, n_groups = cs$k, note = cs$note)))

km_rows <- list(); lr_rows <- list(); lr_group_rows <- list()
for (cs in km_cases) {
  d <- data.frame(time = cs$time, event = cs$event, g = factor(cs$group, levels = 0:(cs$k - 1)))
  tt <- sort(unique(d$time))
  qt <- sort(unique(c(0, tt, tt + 0.25, (tt[-1] + tt[-length(tt)]) / 2,
                      max(tt) + 1, (0:24) * MONTH)))
  qt <- qt[qt <= max(c(tt * 1.5, 2 * MONTH))]
  fit <- survfit(Surv(time, event) ~ g, data = d)
  sfull <- summary(fit, times = qt, extend = TRUE)
  single <- is.null(fit$strata)   # one group: survfit makes no strata
  strata_names <- if (single) paste0("g=", unique(cs$group)) else names(fit$strata)
  for (si in seq_along(strata_names)) {
    lev <- as.integer(sub("^g=", "", strata_names[si]))
    fi <- if (single) fit else fit[si]
    sel <- if (single) rep(TRUE, length(sfull$time)) else sfull$strata == strata_names[si]
    times <- sfull$time[sel]
    idx <- findInterval(times, fi$time)
    se_log <- ifelse(idx == 0, 0, fi$std.err[pmax(idx, 1)])
    surv <- sfull$surv[sel]
    km_rows[[length(km_rows) + 1]] <- data.frame(case = cs$name, group = lev, t = times,
      in_summary = as.integer(times <= max(fi$time)),
      n_risk = sfull$n.risk[sel], n_event = sfull$n.event[sel],
      surv = surv, se_surv = sfull$std.err[sel], se_log_surv = se_log,
      lower_surv = sfull$lower[sel], upper_surv = sfull$upper[sel],
      cum_share = 1 - surv, ci_low = 1 - sfull$upper[sel], ci_high = 1 - sfull$lower[sel])
  }
  if (length(unique(cs$group)) < 2) {
    # survdiff stops with "There is only 1 group"
    lr_rows[[length(lr_rows) + 1]] <- data.frame(case = cs$name, tested = 0L,
      chisq = 0, df = 0, p_value = NA)
    next
  }
  sd <- suppressWarnings(survdiff(Surv(time, event) ~ g, data = d))
  df <- sum(sd$exp > 0) - 1
  lr_rows[[length(lr_rows) + 1]] <- data.frame(case = cs$name, tested = as.integer(df >= 1),
    chisq = sd$chisq, df = df, p_value = sd$pvalue)
  lv <- as.integer(sub("^g=", "", names(sd$n)))
  lr_group_rows[[length(lr_group_rows) + 1]] <- data.frame(case = cs$name, group = lv,
    n = as.integer(sd$n), observed = sd$obs, expected = sd$exp)
}
write_tsv(km_data, "km_data.tsv")
write_tsv(km_meta, "km_cases.tsv")
write_tsv(do.call(rbind, km_rows), "km_expected.tsv")
write_tsv(do.call(rbind, lr_rows), "logrank_expected.tsv")
write_tsv(do.call(rbind, lr_group_rows), "logrank_groups_expected.tsv")

## ---------------------------------------------------------- logistic cases
# Each case: a data frame with y (0/1), factor columns coded 0..k-1 and
# numeric columns; NA = missing.  The spec gives the terms in order:
# "name:f:K:REF" (factor with K levels, reference REF) or "name:n".
lg_cases <- list()
add_lg <- function(name, data, spec, std = "", note = "") {
  lg_cases[[length(lg_cases) + 1]] <<- list(name = name, data = data, spec = spec,
                                             std = std, note = note)
}
expit <- function(x) 1 / (1 + exp(-x))

n <- 300
g <- sample(0:2, n, TRUE)
y <- rbinom(n, 1, c(0.26, 0.18, 0.20)[g + 1])
add_lg("group_only", data.frame(y, group = g), "group:f:3:1", "group",
       "three methods, reference FS (level 1)")

n <- 400
g <- sample(0:2, n, TRUE); age <- round(runif(n, 19, 29), 1)
y <- rbinom(n, 1, expit(-1.2 + c(0.5, 0, 0.15)[g + 1] - 0.06 * (age - 24)))
add_lg("group_age", data.frame(y, group = g, age), "group:f:3:0 age:n", "group",
       "numeric covariate")

n <- 500
g <- sample(0:2, n, TRUE); sex <- rbinom(n, 1, 0.48); age <- round(runif(n, 19, 29))
y <- rbinom(n, 1, expit(-1.4 + c(0.45, 0, 0.1)[g + 1] - 0.3 * sex + 0.04 * (age - 24)))
add_lg("group_sex_age", data.frame(y, group = g, sex, age), "group:f:3:1 sex:f:2:0 age:n", "group",
       "factor and numeric covariates")

n <- 350
g <- sample(0:2, n, TRUE); reg <- sample(0:3, n, TRUE, prob = c(.4, .3, .2, .1))
y <- rbinom(n, 1, expit(-1 + c(0.3, -0.2, 0)[g + 1] + c(0, 0.4, -0.5, 0.2)[reg + 1]))
g[sample(n, 12)] <- NA; reg[sample(n, 9)] <- NA
add_lg("missing_values", data.frame(y, group = g, region = reg), "group:f:3:2 region:f:4:0", "group",
       "missing values in factors (rows dropped); reference is the last level")

n <- 80
g <- sample(0:1, n, TRUE); x <- rnorm(n)
y <- rbinom(n, 1, expit(0.3 * g + 0.8 * x))
add_lg("two_groups_small", data.frame(y, group = g, x), "group:f:2:0 x:n", "group", "small n")

n <- 60
g <- sample(0:1, n, TRUE); score <- round(rnorm(n, 50, 10), 1)
y <- as.integer(score > 52)
add_lg("perfect_separation", data.frame(y, group = g, score), "group:f:2:0 score:n", "group",
       "score separates y perfectly: R warns 'fitted probabilities numerically 0 or 1'")

n <- 150
g <- rep(0:2, each = 50)
y <- c(rbinom(50, 1, 0.3), rbinom(50, 1, 0.25), rep(0L, 50))
sex <- rbinom(n, 1, 0.5)
add_lg("group_no_success", data.frame(y, group = g, sex), "group:f:3:0 sex:f:2:0", "group",
       "group 2 has no successes (quasi-complete separation, R does not warn)")

n <- 120
g <- sample(0:2, n, TRUE); x1 <- rnorm(n); x2 <- 2 * x1 - 1
y <- rbinom(n, 1, expit(-0.5 + 0.4 * x1))
add_lg("collinear", data.frame(y, group = g, x1, x2), "group:f:3:0 x1:n x2:n", "group",
       "x2 = 2 x1 - 1 is aliased (R: NA)")

n <- 1000
g <- sample(0:2, n, TRUE); sex <- rbinom(n, 1, 0.48); age <- sample(19:29, n, TRUE)
prior <- rpois(n, 1.5)
y <- rbinom(n, 1, expit(qlogis(0.18) + c(0.47, 0, 0.13)[g + 1] - 0.1 * sex + 0.02 * (age - 24) - 0.1 * prior))
add_lg("trial_size", data.frame(y, group = g, sex, age, prior), "group:f:3:1 sex:f:2:0 age:n prior:n",
       "group", "1 000 participants like the SE/FS/CM trial")

n <- 200
x <- rnorm(n); g <- sample(0:1, n, TRUE)
y <- rbinom(n, 1, expit(-2.5 + 1.5 * x))
add_lg("rare_outcome", data.frame(y, group = g, x), "group:f:2:1 x:n", "group",
       "rare outcome, reference level 1")

n <- 40
g <- rep(0:1, each = 20); y <- c(rep(1L, 20), rep(0L, 20))
add_lg("group_separates", data.frame(y, group = g), "group:f:2:0", "group",
       "the group itself separates: all successes in one, none in the other")

n <- 160
g <- sample(c(0, 1, 3), n, TRUE); x <- round(rnorm(n, 10, 3), 2)
y <- rbinom(n, 1, expit(-0.8 + 0.3 * (g == 1) + 0.1 * (x - 10)))
x[sample(n, 7)] <- NA
add_lg("unused_level", data.frame(y, group = g, x), "group:f:4:0 x:n", "group",
       "level 2 has no rows (R: NA coefficient), missing numeric values")

lg_data_rows <- list(); lg_meta <- list(); lg_coef <- list(); lg_fit <- list(); lg_std <- list()
for (cs in lg_cases) {
  d <- cs$data
  terms <- strsplit(cs$spec, " ")[[1]]
  rhs <- character(0)
  for (tm in terms) {
    p <- strsplit(tm, ":")[[1]]
    if (p[2] == "f") {
      k <- as.integer(p[3]); ref <- as.integer(p[4])
      d[[p[1]]] <- factor(d[[p[1]]], levels = c(ref, setdiff(0:(k - 1), ref)))
    }
    rhs <- c(rhs, p[1])
  }
  fml <- as.formula(paste("y ~", paste(rhs, collapse = " + ")))
  warn <- character(0)
  fit <- withCallingHandlers(glm(fml, family = binomial, data = d),
    warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
  long <- cs$data
  long$case <- cs$name
  lg_data_rows[[length(lg_data_rows) + 1]] <- long
  lg_meta[[length(lg_meta) + 1]] <- data.frame(case = cs$name, spec = cs$spec, std = cs$std,
                                               note = cs$note)
  sm <- summary(fit)$coefficients
  b <- coef(fit)
  se <- rep(NA_real_, length(b)); names(se) <- names(b)
  se[rownames(sm)] <- sm[, 2]
  z <- b / se
  pv <- 2 * pnorm(-abs(z))
  q <- qnorm(0.975)
  lg_coef[[length(lg_coef) + 1]] <- data.frame(case = cs$name, term = names(b),
    estimate = unname(b), se = unname(se), z = unname(z), p_value = unname(pv),
    odds_ratio = exp(unname(b)), or_low = exp(unname(b) - q * unname(se)),
    or_high = exp(unname(b) + q * unname(se)))
  fitted01 <- any(grepl("numerically 0 or 1", warn))
  lg_fit[[length(lg_fit) + 1]] <- data.frame(case = cs$name, n = nobs(fit),
    converged = as.integer(fit$converged), fitted_01 = as.integer(fitted01),
    iterations = fit$iter, rank = fit$rank, deviance = fit$deviance,
    null_deviance = fit$null.deviance, aic = fit$aic)
  if (nzchar(cs$std)) {
    # Standardisation (g-computation) over the rows used in the fit, with a
    # delta-method standard error that treats the covariates as fixed.
    mf <- model.frame(fit)
    V <- vcov(fit, complete = FALSE); bb <- b; bb[is.na(bb)] <- 0
    keep <- !is.na(b)
    levs <- levels(mf[[cs$std]])
    pr <- list(); gr <- list()
    for (lv in levs) {
      nd <- mf; nd[[cs$std]] <- factor(lv, levels = levs)
      X <- model.matrix(formula(fit), nd)
      eta <- drop(X %*% bb)
      p <- expit(eta)
      pr[[lv]] <- mean(p)
      gr[[lv]] <- colMeans(X * (p * (1 - p)))[keep]
    }
    ref <- levs[1]
    for (lv in levs) {
      gdiff <- gr[[lv]] - gr[[ref]]
      sed <- sqrt(drop(t(gdiff) %*% V %*% gdiff))
      diff <- pr[[lv]] - pr[[ref]]
      lg_std[[length(lg_std) + 1]] <- data.frame(case = cs$name, level = as.integer(lv),
        share = pr[[lv]], diff = diff, se = sed, low = diff - q * sed, high = diff + q * sed)
    }
  }
}
# All logistic data in one long file: columns not used by a case are NA.
cols <- unique(unlist(lapply(lg_data_rows, names)))
lg_data <- do.call(rbind, lapply(lg_data_rows, function(x) {
  for (cn in setdiff(cols, names(x))) x[[cn]] <- NA_real_
  x[, c("case", setdiff(cols, "case"))]
}))
write_tsv(lg_data, "logit_data.tsv")
write_tsv(do.call(rbind, lg_meta), "logit_cases.tsv")
write_tsv(do.call(rbind, lg_coef), "logit_coef_expected.tsv")
write_tsv(do.call(rbind, lg_fit), "logit_fit_expected.tsv")
write_tsv(do.call(rbind, lg_std), "logit_std_expected.tsv")
