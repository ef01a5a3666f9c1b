#pragma once

// The one place where the core's plain values become Qt and widget types (docs/architecture.md: app/bridge). Torch-free.

#include "core/common/training_observer.h"
#include "core/evaluation/image_scan.h"
#include "core/models/script_trust.h"
#include "widgets/browser/thumbnail_set.h"
#include "widgets/plots/distribution_plot.h"

#include <QString>
#include <QStringList>

namespace tau::app {

/** An epoch's histogram and percentiles as the distribution plots take them. */
widgets::EpochHistogram toWidgetHistogram(int epoch, const core::Histogram& histogram, const core::Percentiles& p);

/** Scanned images with their certainties as the browser shows them. */
widgets::SharedThumbnailSet toThumbnails(const core::ScannedImages& scan);

/** What a refused TorchScript file would do beyond tensor math, one reason each, as the trust question lists them. */
QStringList refusalReasons(const core::UntrustedScriptError& refusal);

/** Remaining time as m:ss or h:mm:ss; "--:--" while it is unknown. */
QString formatEta(double seconds);

/** An image's temperature tau = t / c (the README's "What it trains"), with c kept away from 0 for plotting. */
double temperatureOf(double t, double c);

} // namespace tau::app
