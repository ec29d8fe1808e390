"""Every Altair chart of the app: pure functions from a tidy pandas frame to a chart (a new one goes in the module of
its view).

The builders live in modules by view (common, space, lines, experiments, step; charts3d for plotly's 3D);
pages call them through this package: `from lib import charts`, then `charts.sides_scatter(...)`.
"""

from lib.charts.common import MODEL_COLOURS, SECOND_COLOUR, legend_below, model_colour, padded_domain, side_colours
from lib.charts.experiments import (
    alphabet_scatter,
    pos_curves,
    pos_plane,
    precision_lines,
    similarity_heatmap,
    spread_labels,
)
from lib.charts.lines import (
    MODEL_DASHES,
    OVERLAY_FORMATS,
    RUN_COLOURS,
    accuracy_lines,
    category_bars,
    epoch_lines,
    jaccard_lines,
    log_ticks,
    metric_lines,
    overlay_lines,
    purity_lines,
    run_colours,
    similarity_lines,
    word_probability_bars,
)
from lib.charts.space import (
    ALL_LABELS_UP_TO,
    LABEL_FONT,
    NO_GROUP_COLOUR,
    OUTLIERS,
    PICK,
    embedding_panel,
    embedding_scatter,
    group_colour,
    label_mask,
    label_priority,
    sides_scatter,
)
from lib.charts.step import step_lines, vector_strip
