import MailLog
