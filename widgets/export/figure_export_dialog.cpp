#include "widgets/export/figure_export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>

#include <algorithm>

namespace tau::widgets {

FigureExportDialog::FigureExportDialog(const QStringList& figures, const QStringList& fileStems, int current,
                                       const QString& folder, QWidget* parent)
    : QDialog(parent)
    , m_folder(folder)
    , m_fileStems(fileStems)
    , m_figure(new QComboBox)
    , m_format(new QComboBox)
    , m_size(new QComboBox)
    , m_dpi(new QSpinBox)
    , m_titles(new QCheckBox(tr("Keep the plot's title (papers caption figures instead)")))
    , m_path(new QLineEdit)
{
    setWindowTitle(tr("Export Figure"));
    m_figure->addItems(figures);
    m_figure->setCurrentIndex(std::clamp(current, 0, int(figures.size()) - 1));
    m_format->addItem(tr("PDF (vector, fonts embedded)"), QStringLiteral("pdf"));
    m_format->addItem(tr("SVG (vector)"), QStringLiteral("svg"));
    m_format->addItem(tr("PNG (raster)"), QStringLiteral("png"));
    m_size->addItem(tr("Single column (3.5 in)"), int(FigureSize::Column));
    m_size->addItem(tr("Double column (7 in)"), int(FigureSize::DoubleColumn));
    m_dpi->setRange(72, 1200);
    m_dpi->setValue(300);
    m_dpi->setSuffix(tr(" dpi"));
    auto* browse = new QPushButton(tr("Browse…"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    auto* form = new QFormLayout(this);
    form->addRow(tr("Plot"), m_figure);
    form->addRow(tr("Format"), m_format);
    form->addRow(tr("Size"), m_size);
    form->addRow(tr("Resolution (PNG)"), m_dpi);
    form->addRow(QString(), m_titles);
    form->addRow(tr("File"), pathRow);
    form->addRow(buttons);
    connect(browse, &QPushButton::clicked, this, &FigureExportDialog::browse);
    connect(m_format, &QComboBox::currentIndexChanged, this, &FigureExportDialog::syncExtension);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_figure, &QComboBox::currentIndexChanged, this, &FigureExportDialog::suggestName);
    suggestName();
}

int FigureExportDialog::figureIndex() const
{
    return m_figure->currentIndex();
}

void FigureExportDialog::suggestName()
{
    QString name = m_fileStems.value(m_figure->currentIndex(), m_figure->currentText()).toLower();
    name.replace(QRegularExpression(QStringLiteral("[^a-z0-9.-]+")), QStringLiteral("_"));
    m_path->setText(m_folder + QLatin1Char('/') + name + QLatin1Char('.') + m_format->currentData().toString());
}

QString FigureExportDialog::path() const
{
    return m_path->text();
}

FigureOptions FigureExportDialog::options() const
{
    FigureOptions options;
    options.size = FigureSize(m_size->currentData().toInt());
    options.dpi = m_dpi->value();
    options.titles = m_titles->isChecked();
    return options;
}

void FigureExportDialog::browse()
{
    const QString chosen = QFileDialog::getSaveFileName(this, tr("Export Figure"), m_path->text(),
                                                        tr("Figures (*.pdf *.svg *.png)"));
    if (!chosen.isEmpty()) {
        m_path->setText(chosen);
        const int byExtension = m_format->findData(QFileInfo(chosen).suffix().toLower());
        if (byExtension >= 0) {
            m_format->setCurrentIndex(byExtension);
        }
        syncExtension();
    }
}

void FigureExportDialog::syncExtension()
{
    const QFileInfo info(m_path->text());
    const QString extension = m_format->currentData().toString();
    if (!m_path->text().isEmpty() && info.suffix().toLower() != extension) {
        m_path->setText(info.path() + QLatin1Char('/') + info.completeBaseName() + QLatin1Char('.') + extension);
    }
    m_dpi->setEnabled(extension == QLatin1String("png"));
}

} // namespace tau::widgets
