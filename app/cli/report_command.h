#pragma once

#include <QString>

namespace tau::app {

/**
 * Writes a self-contained HTML report of a run (no external files: figures as inline SVG, image grids as
 * embedded PNG): its summary and config, loss and learning-rate curves, the certainty and temperature
 * histograms, the most and least certain images, and every OOD evaluation's ROC curves and metrics table.
 * Draws offscreen, so no display is needed. @return an empty string, or what went wrong.
 */
QString writeRunReport(const QString& runDirectory, const QString& output);

} // namespace tau::app
