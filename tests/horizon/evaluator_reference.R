# Reference values for the evaluator's sections of `utfall horizon`
# (tests/horizon/check_evaluator.py): risk ratios in `comparisons`,
# `mantel_haenszel`, `logrank` and `logrank_stratified`, `cuminc`, `gray`
# and `gray_stratified`, `cox` and `cox_terms`, and `adjusted` /
# `adjusted_terms` with cluster-robust errors — computed in R straight
# from the extract and the spells file, without utfall.
#
# Run from this folder:  Rscript evaluator_reference.R
# (Debian: r-base-core r-cran-survival r-cran-cmprsk r-cran-sandwich.)
# It rewrites evaluator_cases.tsv and evaluator_expected.tsv (one value a
# line: case, section, row key, field, value).  check_evaluator.py runs
# utfall on each case and compares every value to 6 significant digits;
# R is not needed for that.
#
# The definitions, as utfall-horizon(1) states them:
#   month m = inskriven + m calendar months (the day clamped to the month's
#     last); observed at m when that date is on or before the follow-up
#     end; in success when a success spell covers it (fran <= date <= till,
#     blank till = ongoing).
#   time to the first success: days from inskriven to the first success
#     spell starting on or after inskriven, an event when on or before the
#     follow-up end, else censored at the end (Kaplan-Meier, log-rank, Cox).
#   the first event (competing risks): the first spell starting on or after
#     inskriven whose status is in the success set (1) or the competing set
#     (2); a success and a competing spell starting the same day count as
#     success; spells begun before the start do not count.
#   A blank group (insats) or stratum is missing (NA): such participants
#     take part in no test, no stratified analysis and no model; the
#     per-stratum tables still have the blank stratum as a stratum of its
#     own (its rows say "not stated"), as utfall's grouping does.
# Numbers carry 15 significant digits; NA where R has none (null in JSON).
suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
  library(sandwich)
})
MONTH <- 30.4375
SUCCESS <- c("arbete", "arbete_med_stod")
COMPETING <- c("studier")
LEVEL <- 0.95
Q <- qnorm(1 - (1 - LEVEL) / 2)

num <- function(x) ifelse(is.na(x), "NA", sprintf("%.15g", x))
out <- list()
put <- function(case, section, key, field, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, section = section, key = key,
                                        field = field, value = num(as.numeric(value)))
}

add_months <- function(d, m) {
  y <- as.integer(format(d, "%Y")); mo <- as.integer(format(d, "%m"))
  dd <- as.integer(format(d, "%d"))
  t <- mo - 1 + m
  y2 <- y + t %/% 12; mo2 <- t %% 12 + 1
  first_next <- as.Date(sprintf("%04d-%02d-01", y2 + (mo2 == 12), mo2 %% 12 + 1))
  last <- as.integer(format(first_next - 1, "%d"))
  as.Date(sprintf("%04d-%02d-%02d", y2, mo2, pmin(dd, last)))
}

read_case <- function(extract, spells) {
  x <- read.csv(file.path("..", "..", extract), colClasses = "character",
                na.strings = character(0), encoding = "UTF-8")
  sp <- read.csv(file.path("..", "..", spells), colClasses = "character",
                 na.strings = character(0), encoding = "UTF-8")
  x$inskriven <- as.Date(x$inskriven)
  x$end <- as.Date(x$uppfoljd_till)
  sp$fran <- as.Date(sp$fran)
  sp$till <- as.Date(ifelse(sp$till == "", NA, sp$till))
  if (!"alder" %in% names(x))
    x$alder <- as.integer(format(x$inskriven, "%Y")) - as.integer(x$fodelsear)
  x$g <- ifelse(x$insats == "", NA, x$insats)
  list(x = x, sp = sp)
}

outcome_at <- function(x, sp, month) {
  at <- add_months(x$inskriven, month)
  ok <- sp[sp$status %in% SUCCESS, ]
  success <- vapply(seq_len(nrow(x)), function(i) {
    s <- ok[ok$id == x$id[i], ]
    any(s$fran <= at[i] & (is.na(s$till) | s$till >= at[i]))
  }, logical(1))
  ifelse(at > x$end, NA_integer_, as.integer(success))
}

first_success <- function(x, sp) {
  t <- e <- numeric(nrow(x))
  for (i in seq_len(nrow(x))) {
    s <- sp[sp$id == x$id[i] & sp$status %in% SUCCESS & sp$fran >= x$inskriven[i], ]
    follow <- as.numeric(x$end[i] - x$inskriven[i])
    first <- if (nrow(s)) as.numeric(min(s$fran) - x$inskriven[i]) else Inf
    e[i] <- as.integer(first <= follow); t[i] <- if (e[i]) first else follow
  }
  data.frame(time = t, event = e)
}

first_event <- function(x, sp) {
  t <- st <- numeric(nrow(x))
  for (i in seq_len(nrow(x))) {
    s <- sp[sp$id == x$id[i] & sp$status %in% c(SUCCESS, COMPETING) & sp$fran >= x$inskriven[i], ]
    follow <- as.numeric(x$end[i] - x$inskriven[i])
    if (nrow(s) && as.numeric(min(s$fran) - x$inskriven[i]) <= follow) {
      d <- min(s$fran)
      t[i] <- as.numeric(d - x$inskriven[i])
      st[i] <- if (any(s$status[s$fran == d] %in% SUCCESS)) 1 else 2
    } else {
      t[i] <- follow; st[i] <- 0
    }
  }
  data.frame(time = t, status = st)
}

levels_of <- function(v) sort(unique(v[!is.na(v)]), method = "radix")
key <- function(...) paste(..., sep = "|")

## ----------------------------------------------------------- comparisons
risk_ratios <- function(cs, d, y, month) {
  strata <- if (is.null(cs$strata)) "" else d$x[[cs$strata]]
  for (s in unique(strata)) {
    for (g in setdiff(levels_of(d$x$g), cs$ref)) {
      a <- !is.na(y) & d$x$g %in% g & strata == s; b <- !is.na(y) & d$x$g %in% cs$ref & strata == s
      if (!any(d$x$g %in% g & strata == s) || !any(d$x$g %in% cs$ref & strata == s)) next
      x1 <- sum(y[a]); n1 <- sum(a); x0 <- sum(y[b]); n0 <- sum(b)
      rr <- if (n1 > 0 && n0 > 0 && x0 > 0) (x1 / n1) / (x0 / n0) else NA
      se <- if (!is.na(rr) && x1 > 0) sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0) else NA
      k <- if (is.null(cs$strata)) key(g, month) else key(g, s, month)
      put(cs$case, "comparisons", k, "risk_ratio", rr)
      put(cs$case, "comparisons", k, "rr_ci_low", exp(log(rr) - Q * se))
      put(cs$case, "comparisons", k, "rr_ci_high", exp(log(rr) + Q * se))
    }
  }
}

## ------------------------------------------------------- Mantel-Haenszel
mantel_haenszel <- function(cs, d, y, month) {
  s <- d$x[[cs$strata]]; s[s == ""] <- NA
  for (g in setdiff(levels_of(d$x$g), cs$ref)) {
    use <- !is.na(y) & !is.na(s) & d$x$g %in% c(g, cs$ref)
    tb <- table(factor(d$x$g[use], levels = c(g, cs$ref)), factor(1 - y[use], levels = 0:1),
                s[use])
    x1 <- tb[1, 1, ]; n1 <- x1 + tb[1, 2, ]; x0 <- tb[2, 1, ]; n0 <- x0 + tb[2, 2, ]
    both <- n1 > 0 & n0 > 0
    a <- x1[both]; b1 <- n1[both]; c <- x0[both]; b0 <- n0[both]; N <- b1 + b0
    w <- sum(b1 * b0 / N)
    rd <- sum((a * b0 - c * b1) / N) / w
    rd_se <- sqrt(sum((a * (b1 - a) * b0^3 + c * (b0 - c) * b1^3) / (b1 * b0 * N^2))) / w
    R <- sum(a * b0 / N); S <- sum(c * b1 / N); P <- sum((b1 * b0 * (a + c) - a * c * N) / N^2)
    rr <- if (S > 0) R / S else NA
    lse <- if (R > 0 && S > 0) sqrt(P / (R * S)) else NA
    keep <- apply(tb, 3, sum) >= 2
    mt <- mantelhaen.test(tb[, , keep, drop = FALSE], correct = FALSE)
    k <- key(g, month)
    v <- c(risk_diff = rd, risk_diff_ci_low = rd - Q * rd_se, risk_diff_ci_high = rd + Q * rd_se,
           risk_ratio = rr, risk_ratio_ci_low = exp(log(rr) - Q * lse),
           risk_ratio_ci_high = exp(log(rr) + Q * lse), cmh_chi2 = unname(mt$statistic),
           cmh_p_value = mt$p.value, n = sum(N), strata = sum(both))
    for (f in names(v)) put(cs$case, "mantel_haenszel", k, f, v[[f]])
  }
}

## ------------------------------------------------------------- log-rank
logrank <- function(cs, d, tt) {
  strata <- if (is.null(cs$strata)) rep("", nrow(d$x)) else d$x[[cs$strata]]
  for (s in unique(strata)) {
    use <- strata == s & !is.na(d$x$g)
    if (length(unique(d$x$g[use])) < 2) next
    sd <- suppressWarnings(survdiff(Surv(tt$time[use], tt$event[use]) ~ d$x$g[use]))
    df <- sum(sd$exp > 0) - 1
    if (df < 1) next
    put(cs$case, "logrank", s, "chi2", sd$chisq)
    put(cs$case, "logrank", s, "df", df)
    put(cs$case, "logrank", s, "p_value", pchisq(sd$chisq, df, lower.tail = FALSE))
  }
  if (is.null(cs$strata)) return()
  s <- d$x[[cs$strata]]; s[s == ""] <- NA
  use <- !is.na(s) & !is.na(d$x$g)
  sd <- survdiff(Surv(tt$time[use], tt$event[use]) ~ d$x$g[use] + strata(s[use]))
  ex <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
  df <- sum(ex > 0) - 1
  put(cs$case, "logrank_stratified", "", "chi2", sd$chisq)
  put(cs$case, "logrank_stratified", "", "df", df)
  put(cs$case, "logrank_stratified", "", "p_value", pchisq(sd$chisq, df, lower.tail = FALSE))
  put(cs$case, "logrank_stratified", "", "n", sum(use))
  put(cs$case, "logrank_stratified", "", "events", sum(tt$event[use]))
}

## ------------------------------------------------------- competing risks
competing <- function(cs, d, ce) {
  grp <- if (is.null(cs$strata)) d$x$insats else paste(d$x$insats, d$x[[cs$strata]], sep = "|")
  ev <- factor(ce$status, 0:2, c("censor", "arbete", "studier"))
  for (gv in unique(grp)) {
    use <- grp == gv
    fit <- survfit(Surv(ce$time[use], ev[use]) ~ 1)
    sm <- summary(fit, times = cs$months * MONTH, extend = TRUE)
    for (j in 1:2) for (mi in seq_along(cs$months)) {
      k <- key(gv, cs$months[mi], c("arbete", "studier")[j])
      put(cs$case, "cuminc", k, "cum_inc", sm$pstate[mi, j + 1])
      put(cs$case, "cuminc", k, "se", sm$std.err[mi, j + 1])
      put(cs$case, "cuminc", k, "ci_low", sm$lower[mi, j + 1])
      put(cs$case, "cuminc", k, "ci_high", sm$upper[mi, j + 1])
    }
  }
  strata <- if (is.null(cs$strata)) rep("", nrow(d$x)) else d$x[[cs$strata]]
  gray <- function(section, k0, use, st) {
    # cuminc() needs two groups and an event (with none it fails on 1:0)
    if (length(unique(d$x$g[use])) < 2 || !any(ce$status[use] > 0)) return()
    cc <- if (is.null(st)) cuminc(ce$time[use], ce$status[use], d$x$g[use], cencode = 0)
          else cuminc(ce$time[use], ce$status[use], d$x$g[use], strata = st[use], cencode = 0)
    for (j in 1:2) {
      if (!as.character(j) %in% rownames(cc$Tests)) next
      row <- cc$Tests[as.character(j), ]
      ev <- c("arbete", "studier")[j]
      k <- if (is.null(cs$strata) || section == "gray_stratified") ev else key(k0, ev)
      ok <- row[["stat"]] >= 0  # -1: a singular variance (cuminc prints p = 1), not a test
      put(cs$case, section, k, "chi2", if (ok) row[["stat"]] else NA)
      put(cs$case, section, k, "df", if (ok) row[["df"]] else NA)
      put(cs$case, section, k, "p_value", if (ok) row[["pv"]] else NA)
    }
  }
  for (s in unique(strata)) gray("gray", s, strata == s & !is.na(d$x$g), NULL)
  if (!is.null(cs$strata)) {
    s <- d$x[[cs$strata]]; s[s == ""] <- NA
    gray("gray_stratified", "", !is.na(s) & !is.na(d$x$g), s)
  }
}

## ------------------------------------------------------------------ Cox
cox <- function(cs, d, tt) {
  x <- d$x
  x$time <- tt$time; x$event <- tt$event
  x$insats <- factor(x$g, levels = c(cs$ref, setdiff(levels_of(x$g), cs$ref)))
  covs <- if (is.null(cs$adjust)) character(0) else strsplit(cs$adjust, ",")[[1]]
  for (cv in covs) if (cv != "alder") {
    v <- ifelse(x[[cv]] == "", NA, x[[cv]]); x[[cv]] <- factor(v, levels = levels_of(v))
  }
  f <- paste("Surv(time, event) ~ insats", paste0(" + ", covs, collapse = ""))
  if (!is.null(cs$strata)) {
    x$s <- ifelse(x[[cs$strata]] == "", NA, x[[cs$strata]])
    f <- paste(f, "+ strata(s)")
  }
  m <- coxph(as.formula(f), data = x, ties = "efron")
  co <- summary(m)$coefficients; ci <- exp(confint(m, level = LEVEL))
  for (term in rownames(co)) {
    g <- sub("^insats", "", term)
    fields <- c(hazard_ratio = co[term, 2], hr_ci_low = ci[term, 1], hr_ci_high = ci[term, 2],
                p_value = co[term, 5])
    for (fl in names(fields)) {
      put(cs$case, "cox_terms", term, fl, fields[[fl]])
      if (startsWith(term, "insats")) put(cs$case, "cox", g, fl, fields[[fl]])
    }
    if (startsWith(term, "insats")) {
      put(cs$case, "cox", g, "n", m$n)
      put(cs$case, "cox", g, "events", m$nevent)
    }
  }
}

## -------------------------------------------- adjusted, cluster-robust
adjusted <- function(cs, d, y, month) {
  x <- d$x; x$y <- y
  covs <- strsplit(cs$adjust, ",")[[1]]
  x$insats <- factor(x$g, levels = c(cs$ref, setdiff(levels_of(x$g), cs$ref)))
  for (cv in covs) if (cv != "alder") {
    v <- ifelse(x[[cv]] == "", NA, x[[cv]]); x[[cv]] <- factor(v, levels = levels_of(v))
  }
  x$cl <- ifelse(x[[cs$cluster]] == "", NA, x[[cs$cluster]])
  obs <- x[!is.na(x$y) & complete.cases(x[, c("insats", covs, "cl")]), ]
  fit <- glm(as.formula(paste("y ~ insats +", paste(covs, collapse = " + "))), family = binomial,
             data = obs, control = glm.control(epsilon = 1e-14, maxit = 100))
  V <- vcovCL(fit, cluster = ~cl)
  b <- coef(fit); se <- sqrt(diag(V))
  for (term in names(b)) {
    k <- key(month, term)
    put(cs$case, "adjusted_terms", k, "odds_ratio", exp(b[[term]]))
    put(cs$case, "adjusted_terms", k, "or_ci_low", exp(b[[term]] - Q * se[[term]]))
    put(cs$case, "adjusted_terms", k, "or_ci_high", exp(b[[term]] + Q * se[[term]]))
    put(cs$case, "adjusted_terms", k, "p_value", 2 * pnorm(-abs(b[[term]] / se[[term]])))
  }
  mf <- model.frame(fit); pr <- list(); gr <- list()
  for (lv in levels(mf$insats)) {
    nd <- mf; nd$insats <- factor(lv, levels = levels(mf$insats))
    X <- model.matrix(formula(fit), nd); p <- plogis(drop(X %*% b))
    pr[[lv]] <- mean(p); gr[[lv]] <- colMeans(X * (p * (1 - p)))
  }
  for (lv in setdiff(levels(mf$insats), cs$ref)) {
    term <- paste0("insats", lv); k <- key(lv, month)
    diff <- pr[[lv]] - pr[[cs$ref]]; g <- gr[[lv]] - gr[[cs$ref]]
    dse <- sqrt(drop(t(g) %*% V %*% g))
    v <- c(odds_ratio = exp(b[[term]]), or_ci_low = exp(b[[term]] - Q * se[[term]]),
           or_ci_high = exp(b[[term]] + Q * se[[term]]),
           p_value = 2 * pnorm(-abs(b[[term]] / se[[term]])), adjusted_diff = diff,
           adjusted_diff_ci_low = diff - Q * dse, adjusted_diff_ci_high = diff + Q * dse,
           n = nobs(fit), clusters = length(unique(obs$cl)))
    for (f in names(v)) put(cs$case, "adjusted", k, f, v[[f]])
  }
}

## ----------------------------------------------------------------- cases
cases <- list(
  list(case = "fk2017_kommun", extract = "data-samples/fk2017.csv",
       spells = "data-samples/fk2017-spells.csv", ref = "FS", strata = "enhet",
       months = c(6, 12, 15), adjust = "kon,alder", cluster = "enhet"),
  list(case = "small_strata", extract = "tests/data/horizon-strata.csv",
       spells = "tests/data/horizon-strata-spells.csv", ref = "FS", strata = "enhet",
       months = c(6, 12), adjust = "kon", cluster = "enhet"),
  list(case = "fk2017_unstratified", extract = "data-samples/fk2017.csv",
       spells = "data-samples/fk2017-spells.csv", ref = "FS", strata = NULL,
       months = c(15), adjust = "kon,alder", cluster = "enhet")
)
args_of <- function(cs) paste(c("--ref", cs$ref, "--months", paste(cs$months, collapse = ","),
  if (!is.null(cs$strata)) c("--strata", cs$strata), "--km", "--competing", "--cox",
  "--adjust", cs$adjust, "--cluster", cs$cluster), collapse = " ")

for (cs in cases) {
  d <- read_case(cs$extract, cs$spells)
  tt <- first_success(d$x, d$sp); ce <- first_event(d$x, d$sp)
  for (month in cs$months) {
    y <- outcome_at(d$x, d$sp, month)
    risk_ratios(cs, d, y, month)
    if (!is.null(cs$strata)) mantel_haenszel(cs, d, y, month)
    adjusted(cs, d, y, month)
  }
  logrank(cs, d, tt)
  competing(cs, d, ce)
  cox(cs, d, tt)
}
write.table(do.call(rbind, lapply(cases, function(cs) data.frame(case = cs$case,
  extract = cs$extract, spells = cs$spells, args = args_of(cs)))), "evaluator_cases.tsv",
  sep = "\t", quote = FALSE, row.names = FALSE)
write.table(do.call(rbind, out), "evaluator_expected.tsv", sep = "\t", quote = FALSE,
            row.names = FALSE)
