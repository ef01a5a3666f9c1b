#include "widgets/plots/plot_style.h"

#include "widgets/plots/qcp.h"

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
    plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace tau::widgets
