#pragma once

// Fills the widgets from a run's recorded metrics: shared by the window's dashboard and `tau report`.

#include "core/common/training_observer.h"
#include "widgets/plots/distribution_plot.h"

namespace tau::app {

/** An epoch's histogram and percentiles as the distribution plots take them. */
widgets::EpochHistogram toWidgetHistogram(int epoch, const core::Histogram& histogram, const core::Percentiles& p);

} // namespace tau::app
