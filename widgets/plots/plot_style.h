#pragma once

class QCustomPlot;
class QPalette;

namespace tau::widgets {

/**
 * Colours a plot's background, axes, grid and text from the widget palette, so plots follow the system's
 * light or dark theme like the rest of the window. Call again on QEvent::PaletteChange.
 */
void applyPalette(QCustomPlot* plot, const QPalette& palette);

} // namespace tau::widgets
