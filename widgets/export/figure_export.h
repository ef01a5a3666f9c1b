#pragma once

#include <QSize>
#include <QString>

#include <functional>
#include <memory>

class QCPPainter;
class QCustomPlot;

namespace tau::widgets {

/** Paper widths: a single column (3.5 in) or the full text width (7 in). The height follows the content. */
enum class FigureSize
{
    Column,
    DoubleColumn
};

struct FigureOptions
{
    FigureSize size = FigureSize::Column;
    int dpi = 300;       ///< PNG only; PDF and SVG are vector
    bool titles = false; ///< a figure's title (panel labels stay): papers caption their figures instead
    bool grayscale = false; ///< PNG only: the figure as a grey print shows it
};

/**
 * What a figure kind knows about its own layout on paper, beyond what every figure gets (paper fonts, white,
 * the shared legend outside the axes and wrapped into as many columns as fit).
 */
struct PaperLayout
{
    /** Arranges the panels for a figure @p widthPoints wide; called with 0 to put back the screen's arrangement. */
    std::function<void(double widthPoints)> arrange;
    bool squareAxes = false; ///< every axis rect as tall as it is wide (ROC curves)
    double axesAspect = 0.6; ///< otherwise each axis rect's height over its width
};

double figureWidthInches(FigureSize size);

/** Font sizes at print size, in points: tick labels, axis labels and legends; panel labels and titles. */
double paperTextPoints(FigureSize size);
double paperLabelPoints(FigureSize size);

/**
 * The plot laid out as a printed figure while this object lives, in points (one layout unit is one point at
 * print size, on every device): paper fonts in pixel sizes, white background and dark text, titles off unless
 * asked, every legend outside the axes and wrapped to the width, panels arranged by the figure's PaperLayout, and
 * the height found so that every axis rect has the layout's aspect. Destruction puts the screen's plot back.
 */
class PaperFigure
{
public:
    PaperFigure(QCustomPlot* plot, const FigureOptions& options, const PaperLayout& layout = {});
    ~PaperFigure();
    PaperFigure(const PaperFigure&) = delete;
    PaperFigure& operator=(const PaperFigure&) = delete;

    /** The figure's size in points. */
    QSize size() const { return m_size; }
    /** Draws the figure on @p painter (which is active), one unit per point. */
    void draw(QCPPainter* painter) const;

private:
    void useTextSizes(int text, int label);
    void hideTitles();
    void moveLegendsOutOfAxes();
    void wrapLegends(int width);
    /** The height at which every row of axes has the layout's aspect (or the tallest a page allows). */
    void findHeight(int width, int textPixels);
    /** How much taller the axes rows want to be at the current size (negative: shorter). */
    double missingAxesHeight() const;

    struct Saved;
    QCustomPlot* m_plot;
    PaperLayout m_layout;
    QSize m_size;
    std::unique_ptr<Saved> m_saved;
};

/**
 * Writes @p plot as a figure for a paper: PDF (vector, fonts embedded), SVG (vector) or PNG at the chosen DPI,
 * chosen by the file's extension, laid out by PaperFigure. @return an empty string, or what went wrong.
 */
QString exportFigure(QCustomPlot* plot, const QString& path, const FigureOptions& options, const PaperLayout& layout = {});

/**
 * The data behind @p plot as CSV (series,x,y,value): every line graph and bar series (value empty) and every
 * heat-map cell (its value), in axis units: what a reader needs to redraw the figure in another tool. Markers
 * and other decorations are left out.
 */
QString plotDataCsv(QCustomPlot* plot);

} // namespace tau::widgets
