#pragma once

#include <QVector>

class QColor;
class QCPAxis;
class QComboBox;
class QCPGraph;
class QCPLegend;
class QCustomPlot;
class QCPItemText;
class QCPTextElement;
class QPalette;
class QString;
class QWidget;

namespace tau::widgets {

/**
 * Colours a plot's background, axes, grid and text from the widget palette, so plots follow the system's
 * light or dark theme like the rest of the window. Call again on QEvent::PaletteChange.
 */
void applyPalette(QCustomPlot* plot, const QPalette& palette);

/** Moves the legend out of the axes into its own layout row @p row (under them), so it never hides a curve. */
void placeLegendBelow(QCustomPlot* plot, int row);

/** The number of columns (row by row filling) whose widest items fit in @p width. */
int legendColumnsFitting(QCPLegend* legend, double width);

/**
 * A legend under the axes in as many columns as the plot is wide (placeLegendBelow and keepLegendBelowWhileFilled
 * keep it so as the plot is resized): long entries wrap into rows instead of being cut at the plot's edge.
 */
void fitLegendColumns(QCustomPlot* plot);

/**
 * The legend under the axes (row @p row) while it has entries, out of the layout while it has none: an empty
 * legend in a grid caps its column's width at its margins, and the axes beside it collapse.
 */
void keepLegendBelowWhileFilled(QCustomPlot* plot, int row);

/** Lays @p owner out as a labelled combo box (left-aligned) above @p plot, which takes the rest. */
void layOutChoiceAbovePlot(QWidget* owner, const QString& label, QComboBox* choice, QCustomPlot* plot);

/**
 * A ±1 std band: two edge graphs (no pen, not in the legend) at centre - spread and centre + spread, filled
 * between in @p colour made faint. @return the two graphs, lower first.
 */
QVector<QCPGraph*> addSpreadBand(QCustomPlot* plot, const QVector<double>& x, const QVector<double>& centre,
                                 const QVector<double>& spread, const QColor& colour);

/** Ticks at whole numbers only (steps, epochs): never 2.5 epochs. */
void useWholeNumberTicks(QCPAxis* axis);

/** Marks @p label as a panel's label (the OOD set of a ROC panel): a figure for a paper keeps it, titles go. */
void markAsPanelLabel(QCPTextElement* label);
bool isPanelLabel(const QCPTextElement* label);

/** A note in the middle of a plot for when it is empty: what will appear there, and how. */
QCPItemText* addEmptyNote(QCustomPlot* plot, const QString& text);

/** While @p empty, the note shows and the bottom and left axes hide, so an empty plot never shows bare 0-5 axes. */
void showEmptyState(QCustomPlot* plot, QCPItemText* note, bool empty);

} // namespace tau::widgets
