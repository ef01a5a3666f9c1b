#include "app/export/export_actions.h"

#include "widgets/export/figure_export.h"
#include "widgets/export/figure_export_dialog.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QRegularExpression>

namespace tau::app {

namespace {

QStringList namesOf(const QVector<FigureEntry>& figures)
{
    QStringList names;
    for (const FigureEntry& figure : figures) {
        names << figure.name;
    }
    return names;
}

/** Writes @p text to @p path; an empty string or what went wrong, naming the file. */
QString writeText(const QString& path, const QString& text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text.toUtf8()) < 0) {
        return QObject::tr("%1: cannot write (%2)").arg(path, file.errorString());
    }
    return {};
}

} // namespace

ExportActions::ExportActions(QWidget* window, FigureList figures, MetricsTable metricsTable)
    : QObject(window)
    , m_window(window)
    , m_figures(std::move(figures))
    , m_metricsTable(std::move(metricsTable))
{
}

QMenu* ExportActions::buildMenu()
{
    auto* menu = new QMenu(tr("E&xport"), m_window);
    QAction* figure = menu->addAction(tr("&Figure (PDF, SVG, PNG)…"), this, &ExportActions::exportFigureDialog);
    figure->setShortcut(Qt::CTRL | Qt::Key_E);
    figure->setToolTip(tr("The plot on screen, at paper size, on white"));
    menu->addAction(tr("Plot &Data as CSV…"), this, &ExportActions::exportPlotDataDialog);
    menu->addAction(tr("&Metrics Table (LaTeX, CSV)…"), this, &ExportActions::exportMetricsDialog);
    return menu;
}

QString ExportActions::currentFigureCsv() const
{
    int current = 0;
    const QVector<FigureEntry> all = m_figures(&current);
    return all.isEmpty() ? QString() : all[current].csv();
}

QString ExportActions::exportCurrentFigure(const QString& path, int size, int dpi) const
{
    int current = 0;
    const QVector<FigureEntry> all = m_figures(&current);
    if (all.isEmpty()) {
        return tr("Nothing to export yet: open a run (or train one) first");
    }
    widgets::FigureOptions options;
    options.size = widgets::FigureSize(size);
    options.dpi = dpi;
    return widgets::exportFigure(all[current].plot, path, options, all[current].paper);
}

void ExportActions::exportFigureDialog()
{
    int current = 0;
    const QVector<FigureEntry> all = m_figures(&current);
    if (all.isEmpty()) {
        QMessageBox::information(m_window, tr("Export Figure"), tr("Nothing to export yet: open a run (or train one) first"));
        return;
    }
    QStringList stems;
    for (const FigureEntry& entry : all) {
        stems << (entry.fileStem.isEmpty() ? entry.name : entry.fileStem);
    }
    widgets::FigureExportDialog dialog(namesOf(all), stems, current, QDir::currentPath(), m_window);
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    const FigureEntry& chosen = all[dialog.figureIndex()];
    const QString error = widgets::exportFigure(chosen.plot, dialog.path(), dialog.options(), chosen.paper);
    if (!error.isEmpty()) {
        QMessageBox::warning(m_window, tr("Export Figure"), error);
        return;
    }
    Q_EMIT wrote(dialog.path());
}

void ExportActions::exportPlotDataDialog()
{
    int current = 0;
    const QVector<FigureEntry> all = m_figures(&current);
    const QStringList names = namesOf(all);
    bool chosen = false;
    const QString name = names.isEmpty() ? QString()
                                         : QInputDialog::getItem(m_window, tr("Export Plot Data"), tr("Plot"), names,
                                                                 current, false, &chosen);
    if (!chosen) {
        return;
    }
    const FigureEntry& entry = all[names.indexOf(name)];
    QString fileName = (entry.fileStem.isEmpty() ? name : entry.fileStem).toLower();
    fileName.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("_"));
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export Plot Data"),
                                                      QDir::current().absoluteFilePath(fileName + QStringLiteral(".csv")),
                                                      tr("CSV (*.csv)"));
    if (path.isEmpty()) {
        return;
    }
    if (const QString error = writeText(path, all[names.indexOf(name)].csv()); !error.isEmpty()) {
        QMessageBox::warning(m_window, tr("Export Plot Data"), error);
        return;
    }
    Q_EMIT wrote(path);
}

void ExportActions::exportMetricsDialog()
{
    if (m_metricsTable(true).isEmpty()) {
        QMessageBox::information(m_window, tr("Export Metrics"), tr("Run an OOD evaluation on the Analyse page first"));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export Metrics Table"),
                                                      QDir::current().absoluteFilePath(QStringLiteral("ood_metrics.tex")),
                                                      tr("LaTeX tabular (*.tex);;CSV (*.csv)"));
    if (path.isEmpty()) {
        return;
    }
    const bool latex = QFileInfo(path).suffix().toLower() != QLatin1String("csv");
    if (const QString error = writeText(path, m_metricsTable(latex)); !error.isEmpty()) {
        QMessageBox::warning(m_window, tr("Export Metrics"), error);
        return;
    }
    Q_EMIT wrote(path);
}

} // namespace tau::app
