#pragma once

#include <QString>

class QCustomPlot;

namespace tau::widgets {

/** Paper sizes: a single column (3.5 in wide) or the full text width (7 in), at 4:3. */
enum class FigureSize
{
    Column,
    DoubleColumn
};

struct FigureOptions
{
    FigureSize size = FigureSize::Column;
    int dpi = 300; ///< PNG only; PDF and SVG are vector
};

double figureWidthInches(FigureSize size);

/**
 * Writes @p plot as a figure for a paper: PDF (vector, fonts embedded), SVG (vector) or PNG at the chosen DPI,
 * chosen by the file's extension, at the paper size, always on a white background with dark text even when
 * the window is dark. @return an empty string, or what went wrong.
 */
QString exportFigure(QCustomPlot* plot, const QString& path, const FigureOptions& options);

/**
 * The data behind @p plot as CSV (series,x,y,value): every line graph and bar series (value empty) and every
 * heat-map cell (its value), in axis units: what a reader needs to redraw the figure in another tool.
 */
QString plotDataCsv(QCustomPlot* plot);

} // namespace tau::widgets
