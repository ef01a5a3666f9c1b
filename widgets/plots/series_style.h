#pragma once

#include <QColor>
#include <QString>

#include <Qt>

class QCPAbstractLegendItem;
class QCPGraph;
class QCPLegend;
class QCustomPlot;

namespace tau::widgets {

/**
 * How one score (or one run) is drawn in every figure: a colour, a dash pattern and a marker. Each row of the
 * table differs from every other in its dash pattern or its marker, so two series stay apart when a figure is
 * printed in grey; the colours are Okabe and Ito's colour-blind-safe set.
 */
struct SeriesStyle
{
    QColor colour;
    Qt::PenStyle dash = Qt::SolidLine;
    int marker = 0; ///< a QCPScatterStyle::ScatterShape; 0 (ssNone) draws no marker
    int index = 0;  ///< the row of the table

    bool operator==(const SeriesStyle& other) const { return index == other.index; }
};

/** Row @p index of the table (wrapping past its end): the catalogue gives each score its row. */
SeriesStyle seriesStyle(int index);

/** How many rows the table has before styles repeat. */
int seriesStyleCount();

/** A curve's pen in @p style, @p width points wide (its markers: addSeriesMarkers). */
void applySeriesStyle(QCPGraph* graph, const SeriesStyle& style, double width = 1.5);

/**
 * The markers of @p style on @p curve at @p count places spread evenly along its key axis (in log space on a log
 * axis), each style's places shifted a little so two curves' markers do not stack. A graph of its own, marked as
 * decoration: no legend lists it and the plot's CSV leaves it out. Null for a style without a marker.
 */
QCPGraph* addSeriesMarkers(QCPGraph* curve, const SeriesStyle& style, int count = 5);

/** Whether @p graph only decorates another (markers, a band's edge): the plot's data CSV leaves it out. */
bool isDecoration(const QCPGraph* graph);
void markAsDecoration(QCPGraph* graph);

/**
 * A legend entry drawn from a style rather than from one plottable: a line sample with its marker and a text.
 * Figures with several panels list each score once, in a legend shared by the panels.
 */
QCPAbstractLegendItem* addStyleLegendItem(QCPLegend* legend, const SeriesStyle& style, const QString& text);

/** A legend entry for a single marker (an operating point, a reference), explained by @p text. */
QCPAbstractLegendItem* addMarkerLegendItem(QCPLegend* legend, int marker, const QColor& colour, const QString& text);

/** The text of a legend entry: a style entry's text, or a plottable entry's plottable name. */
QString legendText(const QCPAbstractLegendItem* item);

/** A legend entry for a reference line (chance, a threshold) in @p colour and @p dash. */
QCPAbstractLegendItem* addLineLegendItem(QCPLegend* legend, const QColor& colour, Qt::PenStyle dash, const QString& text);

} // namespace tau::widgets
