/* The columns of a share goal's table, as `utfall goal` writes them and
 * the report's goal blocks too: one definition, so that the two tables
 * say the same thing of the same counts.  Internal. */
#ifndef UTFALL_ANALYSIS_GOAL_COLUMNS_H
#define UTFALL_ANALYSIS_GOAL_COLUMNS_H
#include "utfall/table.h"

/* after the group columns */
enum {
    G_N, G_REACHED, G_SHARE, G_CI_LOW, G_CI_HIGH, G_TARGET, G_MET, G_P_VALUE, G_NEEDED,
    G_EXCLUDED, G_NCOLS
};

/* what is computed from reached of n is hidden with either */
extern const utfall_colspec utfall_goal_columns[G_NCOLS];
#endif
