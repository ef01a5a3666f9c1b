#include "app/mainwindow/recent_files.h"

#include <QAction>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace tau::app {

namespace {
constexpr int kRecentFiles = 10;
const QString kKey = QStringLiteral("recentFiles");

QString kindOf(const QString& path)
{
    const QFileInfo info(path);
    if (info.isDir()) {
        return RecentFiles::tr("run");
    }
    return info.suffix().toLower() == QLatin1String("pt") ? RecentFiles::tr("checkpoint") : RecentFiles::tr("config");
}
} // namespace

RecentFiles::RecentFiles(QMenu* menu, QObject* parent) : QObject(parent), m_menu(menu)
{
    connect(m_menu, &QMenu::aboutToShow, this, &RecentFiles::rebuildMenu); // prunes what vanished meanwhile
    rebuildMenu();
}

void RecentFiles::add(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QSettings settings;
    QStringList recent = settings.value(kKey).toStringList();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kRecentFiles) {
        recent.removeLast();
    }
    settings.setValue(kKey, recent);
    rebuildMenu();
}

void RecentFiles::clear()
{
    QSettings().remove(kKey);
    rebuildMenu();
}

QStringList RecentFiles::entries()
{
    QSettings settings;
    const QStringList stored = settings.value(kKey).toStringList();
    QStringList existing;
    for (const QString& path : stored) {
        if (QFileInfo::exists(path)) {
            existing << path;
        }
    }
    if (existing.size() != stored.size()) {
        settings.setValue(kKey, existing);
    }
    return existing;
}

void RecentFiles::rebuildMenu()
{
    m_menu->clear();
    const QStringList recent = entries();
    for (const QString& path : recent) {
        QAction* action = m_menu->addAction(QStringLiteral("%1  (%2)").arg(path, kindOf(path)));
        connect(action, &QAction::triggered, this, [this, path] { Q_EMIT chosen(path); });
    }
    if (recent.isEmpty()) {
        m_menu->addAction(tr("No recent files"))->setEnabled(false);
    }
    m_menu->addSeparator();
    QAction* clearAction = m_menu->addAction(tr("Clear Recent"), this, &RecentFiles::clear);
    clearAction->setObjectName(QStringLiteral("clearRecentAction"));
    clearAction->setEnabled(!recent.isEmpty());
}

} // namespace tau::app
