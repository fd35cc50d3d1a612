# Reference values for `utfall horizon --adjust` (tests/horizon): the
# logistic regression of success at a horizon on the group and covariates,
# computed in R straight from the extract and the spells file, without
# utfall.
#
# Run from this folder:  Rscript adjust_reference.R
# It rewrites adjust_cases.tsv, adjust_expected.tsv and adjust_coef.tsv.
# check_adjust.py (a meson test) runs utfall on each case and compares its
# JSON section `adjusted` with adjust_expected.tsv to 6 significant digits;
# R is not needed for that.
#
# The outcome, by the definitions of utfall-horizon(1):
#   month m of a participant = inskriven + m calendar months, the day clamped
#     to the last day of a shorter month (2014-01-31 + 1 = 2014-02-28);
#   censored at m when that date is after the follow-up end (uppfoljd_till);
#     censored participants are left out of the fit;
#   success at m when a spell with status arbete or arbete_med_stod covers
#     the date: fran <= date <= till, both ends inclusive, till blank =
#     ongoing; overlapping spells: any success spell counts.
# Covariates: alder = the year of inskriven minus fodelsear (as utfall
# derives it when the extract has no alder column); kon and other text
# columns are factors whose levels are sorted in byte order (C locale), the
# first being the reference; a blank value is missing and the row is left
# out (na.omit), as utfall does.  The group is insats with the reference
# level --ref first.
#
# The model is glm(y ~ insats + covariates, family = binomial); the odds
# ratios are exp(coef), their intervals exp(confint.default()) (Wald), the
# p-values summary()'s Pr(>|z|).  The adjusted difference is the mean
# predicted probability over the rows of the fit with everyone's insats set
# to the group, minus the same with everyone set to the reference; its
# interval is the delta method with the covariates held fixed.
#
# Numbers carry 15 significant digits.

SUCCESS <- c("arbete", "arbete_med_stod")
LEVEL <- 0.95

num <- function(x) ifelse(is.na(x), "NA", sprintf("%.15g", x))
write_tsv <- function(df, file) {
  for (j in seq_along(df)) if (is.numeric(df[[j]])) df[[j]] <- num(df[[j]])
  write.table(df, file, sep = "\t", quote = FALSE, row.names = FALSE)
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

outcome_at <- function(x, sp, month) {
  at <- add_months(x$inskriven, month)
  censored <- at > x$uppfoljd_till
  ok <- sp[sp$status %in% SUCCESS, ]
  success <- vapply(seq_len(nrow(x)), function(i) {
    s <- ok[ok$id == x$id[i], ]
    any(s$fran <= at[i] & (is.na(s$till) | s$till >= at[i]))
  }, logical(1))
  ifelse(censored, NA_integer_, as.integer(success))
}

read_case <- function(extract, spells) {
  x <- read.csv(file.path("..", "..", extract), colClasses = "character",
                na.strings = character(0), encoding = "UTF-8")
  sp <- read.csv(file.path("..", "..", spells), colClasses = "character",
                 na.strings = character(0), encoding = "UTF-8")
  x$inskriven <- as.Date(x$inskriven)
  x$uppfoljd_till <- as.Date(x$uppfoljd_till)
  sp$fran <- as.Date(sp$fran)
  sp$till <- as.Date(ifelse(sp$till == "", NA, sp$till))
  if (!"alder" %in% names(x))
    x$alder <- ifelse(x$fodelsear == "", NA,
                      as.integer(format(x$inskriven, "%Y")) - suppressWarnings(as.integer(x$fodelsear)))
  list(x = x, sp = sp)
}

NUMERIC <- c("alder", "fodelsear", "timmar_fore", "timmar_efter")

cases <- list(
  list(case = "fk2017_kon_alder", extract = "data-samples/fk2017.csv",
       spells = "data-samples/fk2017-spells.csv", ref = "FS", adjust = "kon,alder",
       months = "15"),
  list(case = "missing_covariates", extract = "tests/data/horizon-adjust.csv",
       spells = "tests/data/horizon-adjust-spells.csv", ref = "FS", adjust = "kon,alder",
       months = "12,15"),
  list(case = "fk2017_enhet", extract = "data-samples/fk2017.csv",
       spells = "data-samples/fk2017-spells.csv", ref = "SE", adjust = "enhet,kon",
       months = "6,15")
)

expected <- list(); coefs <- list()
for (cs in cases) {
  d0 <- read_case(cs$extract, cs$spells)
  covs <- strsplit(cs$adjust, ",")[[1]]
  for (month in as.integer(strsplit(cs$months, ",")[[1]])) {
    x <- d0$x
    x$y <- outcome_at(x, d0$sp, month)
    censored <- sum(is.na(x$y))
    levs <- sort(unique(x$insats[x$insats != ""]), method = "radix")
    x$insats <- factor(ifelse(x$insats == "", NA, x$insats),
                       levels = c(cs$ref, setdiff(levs, cs$ref)))
    for (cv in covs) {
      if (cv %in% NUMERIC) {
        x[[cv]] <- suppressWarnings(as.numeric(x[[cv]]))
      } else {
        v <- ifelse(x[[cv]] == "", NA, x[[cv]])
        x[[cv]] <- factor(v, levels = sort(unique(v[!is.na(v)]), method = "radix"))
      }
    }
    obs <- x[!is.na(x$y), ]
    missing <- sum(!complete.cases(obs[, c("insats", covs)]))
    fml <- as.formula(paste("y ~ insats +", paste(covs, collapse = " + ")))
    fit <- glm(fml, family = binomial, data = obs)
    sm <- summary(fit)$coefficients
    ci <- confint.default(fit, level = LEVEL)
    coefs[[length(coefs) + 1]] <- data.frame(case = cs$case, month = month,
      term = rownames(sm), estimate = sm[, 1], se = sm[, 2], p_value = sm[, 4],
      odds_ratio = exp(sm[, 1]), or_ci_low = exp(ci[rownames(sm), 1]),
      or_ci_high = exp(ci[rownames(sm), 2]), row.names = NULL)
    # standardisation over the rows of the fit
    mf <- model.frame(fit)
    b <- coef(fit); V <- vcov(fit)
    pr <- list(); gr <- list()
    for (lv in levels(mf$insats)) {
      nd <- mf; nd$insats <- factor(lv, levels = levels(mf$insats))
      X <- model.matrix(formula(fit), nd)
      p <- plogis(drop(X %*% b))
      pr[[lv]] <- mean(p)
      gr[[lv]] <- colMeans(X * (p * (1 - p)))
    }
    q <- qnorm(1 - (1 - LEVEL) / 2)
    for (lv in setdiff(levs, cs$ref)) {
      term <- paste0("insats", lv)
      diff <- pr[[lv]] - pr[[cs$ref]]
      g <- gr[[lv]] - gr[[cs$ref]]
      se <- sqrt(drop(t(g) %*% V %*% g))
      expected[[length(expected) + 1]] <- data.frame(case = cs$case, group = lv,
        ref = cs$ref, month = month, odds_ratio = exp(b[[term]]),
        or_ci_low = exp(ci[term, 1]), or_ci_high = exp(ci[term, 2]),
        p_value = sm[term, 4], adjusted_diff = diff, adjusted_diff_ci_low = diff - q * se,
        adjusted_diff_ci_high = diff + q * se, n = nobs(fit), censored = censored,
        missing = missing, converged = fit$converged)
    }
  }
}
write_tsv(do.call(rbind, lapply(cases, as.data.frame)), "adjust_cases.tsv")
write_tsv(do.call(rbind, expected), "adjust_expected.tsv")
write_tsv(do.call(rbind, coefs), "adjust_coef.tsv")
