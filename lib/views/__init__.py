"""What the pages ask of saved runs: evaluation, neighbours and comparisons, projections, clusters, exports, one step
from inside."""
