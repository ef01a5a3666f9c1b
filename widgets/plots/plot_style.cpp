#include "widgets/plots/plot_style.h"

#include "widgets/plots/qcp.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace tau::widgets {

void applyPalette(QCustomPlot* plot, const QPalette& palette)
{
    const QColor background = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    QColor grid = text;
    grid.setAlpha(40);
    plot->setBackground(background);
    QList<QCPAxis*> axes;
    for (QCPAxisRect* rect : plot->axisRects()) {
        axes += rect->axes();
    }
    for (QCPAxis* axis : axes) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
        axis->grid()->setZeroLinePen(QPen(grid, 1, Qt::DotLine)); // QCP's darker solid zero line read as a curve
    }
    for (QCPLegend* legend : plot->findChildren<QCPLegend*>()) {
        legend->setBrush(background);
        legend->setTextColor(text);
    }
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i) {
        if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i))) {
            title->setTextColor(text);
        }
    }
    for (int i = 0; i < plot->itemCount(); ++i) {
        if (auto* note = qobject_cast<QCPItemText*>(plot->item(i))) {
            note->setColor(text);
        }
    }
    plot->replot(QCustomPlot::rpQueuedReplot);
}

/** The number of columns (row by row filling) whose widest items fit in @p width. */
int legendColumnsFitting(QCPLegend* legend, double width)
{
    const int count = legend->itemCount();
    QVector<int> widths;
    for (int i = 0; i < count; ++i) {
        widths.append(legend->item(i) != nullptr ? legend->item(i)->minimumOuterSizeHint().width() : 0);
    }
    const double available = width - legend->margins().left() - legend->margins().right();
    for (int columns = count; columns > 1; --columns) {
        double total = (columns - 1) * legend->columnSpacing();
        for (int column = 0; column < columns; ++column) {
            int widest = 0;
            for (int i = column; i < count; i += columns) {
                widest = std::max(widest, widths[i]);
            }
            total += widest;
        }
        if (total <= available) {
            return columns;
        }
    }
    return 1;
}

namespace {

/** Re-fits the legends under a plot's axes to its width whenever the plot is resized. */
class LegendFitter : public QObject
{
public:
    explicit LegendFitter(QCustomPlot* plot) : QObject(plot), m_plot(plot) { plot->installEventFilter(this); }

    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (watched == m_plot && event->type() == QEvent::Resize) {
            fitLegendColumns(m_plot);
        }
        return QObject::eventFilter(watched, event);
    }

private:
    QCustomPlot* m_plot;
};

void fitLegendToWidth(QCustomPlot* plot)
{
    // A property marks the plot (findChild cannot tell a class without Q_OBJECT from any other QObject).
    static const char* const kFitted = "tauLegendFitted";
    if (!plot->property(kFitted).toBool()) {
        new LegendFitter(plot);
        plot->setProperty(kFitted, true);
    }
    // Also before the plot is shown (at 100 px, so one column): a legend in one row would set the plot's minimum
    // width to the row's, and the plot could then never be narrowed to where its legend wraps.
    fitLegendColumns(plot);
}

} // namespace

void fitLegendColumns(QCustomPlot* plot)
{
    QCPLegend* legend = plot->legend;
    if (legend->layout() != plot->plotLayout()) {
        return; // an inset legend keeps its own shape
    }
    // The items' own sizes against the plot's width: the legend's current shape does not enter the measure.
    legend->setWrap(legend->itemCount() > 0 ? legendColumnsFitting(legend, plot->width()) : 0);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // re-placed in the new number of columns
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void placeLegendBelow(QCustomPlot* plot, int row)
{
    plot->legend->setVisible(true);
    plot->legend->setFont(QFont(plot->font().family(), 8));
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->axisRect()->insetLayout()->take(plot->legend);
    plot->plotLayout()->addElement(row, 0, plot->legend);
    plot->plotLayout()->setRowStretchFactor(row, 0.001);
    plot->plotLayout()->simplify();
    fitLegendToWidth(plot);
}

void keepLegendBelowWhileFilled(QCustomPlot* plot, int row)
{
    QCPLegend* legend = plot->legend;
    const bool placed = legend->layout() == plot->plotLayout();
    if (legend->itemCount() > 0 && !placed) {
        if (auto* inset = qobject_cast<QCPLayoutInset*>(legend->layout())) {
            inset->take(legend);
        }
        plot->plotLayout()->addElement(row, 0, legend);
        plot->plotLayout()->setRowStretchFactor(row, 0.001);
    } else if (legend->itemCount() == 0 && placed) {
        plot->plotLayout()->take(legend);
        plot->plotLayout()->simplify();
    }
    legend->setVisible(legend->itemCount() > 0);
    if (legend->itemCount() > 0) {
        fitLegendToWidth(plot);
    }
}

void layOutChoiceAbovePlot(QWidget* owner, const QString& label, QComboBox* choice, QCustomPlot* plot)
{
    choice->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(label));
    controls->addWidget(choice);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(owner);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(plot, 1);
}

QVector<QCPGraph*> addSpreadBand(QCustomPlot* plot, const QVector<double>& x, const QVector<double>& centre,
                                 const QVector<double>& spread, const QColor& colour)
{
    QVector<double> low(centre.size()), high(centre.size());
    for (int j = 0; j < centre.size(); ++j) {
        low[j] = centre[j] - spread[j];
        high[j] = centre[j] + spread[j];
    }
    QCPGraph* lower = plot->addGraph(plot->xAxis, plot->yAxis);
    QCPGraph* upper = plot->addGraph(plot->xAxis, plot->yAxis);
    for (QCPGraph* edge : {lower, upper}) {
        edge->setPen(Qt::NoPen);
        edge->removeFromLegend();
    }
    lower->setData(x, low, /*alreadySorted=*/true);
    upper->setData(x, high, /*alreadySorted=*/true);
    QColor fill = colour;
    fill.setAlpha(50);
    upper->setBrush(fill);
    upper->setChannelFillGraph(lower);
    return {lower, upper};
}

void useWholeNumberTicks(QCPAxis* axis)
{
    QSharedPointer<QCPAxisTickerFixed> whole(new QCPAxisTickerFixed);
    whole->setTickStep(1.0);
    whole->setScaleStrategy(QCPAxisTickerFixed::ssMultiples); // 1, 2, 5, 10, 20, ... times a whole step
    whole->setTickCount(5);
    axis->setTicker(whole);
}

void markAsPanelLabel(QCPTextElement* label)
{
    label->setProperty("tauPanelLabel", true);
}

bool isPanelLabel(const QCPTextElement* label)
{
    return label->property("tauPanelLabel").toBool();
}

QCPItemText* addEmptyNote(QCustomPlot* plot, const QString& text)
{
    auto* note = new QCPItemText(plot);
    note->position->setType(QCPItemPosition::ptAxisRectRatio);
    note->position->setCoords(0.5, 0.5);
    note->setText(text);
    note->setTextAlignment(Qt::AlignCenter);
    note->setColor(plot->palette().color(QPalette::Text));
    return note;
}

void showEmptyState(QCustomPlot* plot, QCPItemText* note, bool empty)
{
    note->setVisible(empty);
    for (QCPAxisRect* rect : plot->axisRects()) {
        for (QCPAxis* axis : rect->axes()) {
            if (axis->axisType() == QCPAxis::atBottom || axis->axisType() == QCPAxis::atLeft) {
                axis->setVisible(!empty);
            }
        }
    }
}

} // namespace tau::widgets
