<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="pt_BR">
<context>
    <name></name>
    <message>
        <source>Hoje</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ontem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{day} de {month}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{day} de {month} de {year}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AgreementDialog</name>
    <message>
        <source>Propor acordo — {name}</source>
        <extracomment>debt statuses an agreement may take in the operator confirmed terms that passed the checks (`AgreementRequest`)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} · {due} · {balance}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Multa por atraso: no máximo 2 % (CDC, art. 52, § 1º).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> % ao mês</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opcional: como foi combinado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dívidas do acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Entrada (R$)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Parcelas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Primeiro &amp;vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Multa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Juros</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>De&amp;sconto (R$)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Observação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Juros ({rate} ao mês, 1ª parcela hoje)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Juros ({rate} ao mês, 1ª parcela amanhã)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Juros ({rate} ao mês, 1ª parcela em {days} dias)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fazer acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor devido</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Multa ({rate})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Desconto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total do acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entrada · {due}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcela {k}/{n} · {due}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plano</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fazendo acordo…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AgreementSection</name>
    <message>
        <source>Acordos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Romper o acordo após</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>de atraso numa parcela</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AgreementsTable</name>
    <message>
        <source>Nº</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Feito em</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Situação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encerrado em</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor devido</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Multa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Juros</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Desconto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entrada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcelas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} × a partir de {due}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <source>Últimos 7 dias</source>
        <extracomment>the period filter: label -&gt; days back (None: everything)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Últimos 30 dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Últimos 12 meses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tudo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Todas as ações</source>
        <extracomment>the action filter: label -&gt; action prefix (None: every action)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acessos negados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operadores e entradas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Configurações</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Régua</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exportações</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagamentos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promessas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acordos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devedores e LGPD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acesso negado</source>
        <extracomment>what the actions not on a debtor&apos;s screen mean</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entrou</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Senha errada ao entrar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador cadastrado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dono cadastrado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Senha definida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador ativado ou desativado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Papel mudado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registro de auditoria exportado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Configuração mudada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Régua mudada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelos enviados para aprovação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagamentos importados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Planilha importada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dados do titular exportados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dossiê do devedor gerado (PDF)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pediu para não receber mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voltou a aceitar mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“Não sou eu” desfeito</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversa assumida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversa transferida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversa resolvida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversa reaberta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>operador</source>
        <extracomment>details shown as the &quot;reason&quot; column, first found wins what the entries are about</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>configuração</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>telefone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pagamento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>promessa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>conversa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>registro de auditoria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tentou: {what}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registro de auditoria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Todos os operadores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Período</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quando</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O quê</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Objeto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Motivo e detalhes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>‹ Anterior</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Próxima ›</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exportar CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ver o registro de auditoria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} registros exportados para {path}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sistema</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Página {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exportar registro de auditoria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Backups</name>
    <message>
        <source>Automática (diária)</source>
        <extracomment>how many copies of each reason rotation keeps (the newest ones) the reason as the restore screen shows it (translated by the UI in context &quot;Backups&quot;)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automática (semanal)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Feita à mão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Antes de atualizar o programa</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BackupsSection</name>
    <message>
        <source>Cópias de segurança</source>
        <extracomment>what guards an owner-only control (the window&apos;s `OwnerGate.guard`), when there is one</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cópia gravada: {name}.</source>
        <extracomment>the confirmation&apos;s &quot;Restaurar&quot; (of the last question asked)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enquanto o programa está aberto (a janela ou o serve), ele copia o banco de dados uma vez por dia para {folder}: a primeira cópia de cada semana fica {weeks} semanas, as outras {days} dias. Antes de cada atualização do programa também é feita uma cópia. Restaurar põe uma cópia no lugar do banco atual, que fica guardado na pasta de dados com outro nome.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Motivo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tamanho</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fazer cópia agora</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restaurar…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Põe a cópia escolhida no lugar do banco de dados atual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abrir pasta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A última cópia automática falhou: {error} O programa tenta de novo em 15 minutos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma cópia ainda: a primeira sai em instantes, ou clique em Fazer cópia agora.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A cópia mais recente é de {when}, há mais de {days} dias.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A cópia mais recente é de {when}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restaurar cópia de segurança</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voltar o banco de dados para a cópia de {when}?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tudo o que foi feito depois de {when} deixa de aparecer: pagamentos, promessas e acordos registrados, mensagens enviadas e recebidas, devedores importados e mudanças na configuração. O banco atual não é apagado: fica guardado na pasta de dados com outro nome. Feche o programa nos outros computadores e pare o serve antes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restaurar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restaurando a cópia de {when}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Banco de dados restaurado da cópia de {when}. O banco anterior ficou guardado na pasta de dados.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O banco de dados está num servidor PostgreSQL, compartilhado pelos computadores da loja: as cópias são feitas no servidor, com as ferramentas do PostgreSQL. Agende uma cópia por dia (no Windows, pelo Agendador de Tarefas; no Linux, pelo cron), fora do horário da loja, trocando *** pela senha do banco:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Para restaurar, com o programa fechado em todos os computadores:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Procurando arquivos do pg_dump…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> ou </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cópia recente encontrada: {name}, de {when}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A cópia mais recente em {where} é de {when}: agende o pg_dump para todo dia.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum arquivo do pg_dump em {where}. Grave as cópias numa dessas pastas (ou indique a pasta na variável COBRADOR_PG_DUMP_DIR) para que o programa e o comando check as encontrem.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CapacitySection</name>
    <message>
        <source>Capacidade da equipe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>atendentes ×</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>conversas por dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atendimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A régua só abre por dia as conversas novas que a equipe consegue atender; o resto fica para o dia seguinte.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>= 1 conversa nova por dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>= {count} conversas novas por dia</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChecklistPage</name>
    <message>
        <source>Segurança do número</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Se a Meta bloquear o número, todas as cobranças param de uma vez. Marque o que já está feito; o que faltar fica lembrado aqui.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CloudApi</name>
    <message>
        <source>Corrija o modelo conforme a explicação da Meta ({details}) e envie de novo para aprovação.</source>
        <extracomment>the exponential backoff of RETRY and PACE kinds stops growing here (§7: cap 5 min) tries of a transient error when the table says nothing more precise (§7: ≤ 5 tries)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os envios deste número foram interrompidos. No Gerenciador de Negócios da Meta, dê ao usuário do sistema as permissões whatsapp_business_messaging e whatsapp_business_management.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Envio rápido demais; desacelerando.</source>
        <extracomment>The error table of WHATSAPP_CLOUD_API.md §7, every row, plus template-creation subcodes.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nada a fazer: o programa reduz o ritmo e tenta de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Muitas mensagens seguidas para este cliente.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O programa espera alguns segundos e envia de novo para este cliente; evite mandar várias mensagens em sequência.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Envios limitados por denúncias de spam. Campanhas pausadas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reveja o texto e a frequência dos lembretes e envie só para quem autorizou; retome as campanhas depois de alguns dias.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marketing não entregue pela Meta; tente amanhã.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O envio foi reagendado para daqui a 24 horas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O cliente pediu para não receber marketing da loja.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não envie marketing a este cliente; lembretes de cobrança (utilidade) continuam permitidos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Janela de 24 horas fechada. Envie um modelo aprovado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Texto livre só pode ir até 24 horas depois da última mensagem do cliente; escolha um modelo aprovado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não entregue: o número pode não ter WhatsApp.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirme o telefone com o cliente por outro meio; o programa não tenta de novo sozinho.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagem inválida; detalhe registrado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira o texto e o telefone; se continuar, procure o suporte com o arquivo de registro.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arquivo inválido (tipo ou tamanho).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use um PDF de até 100 MB ou uma imagem de até 5 MB.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O modelo espera outro número de campos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os modelos serão sincronizados com a Meta; confira os campos e envie de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelo não encontrado ou não aprovado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os modelos serão sincronizados com a Meta; escolha um modelo aprovado em português (pt_BR).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Texto do modelo longo demais.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encurte os valores dos campos (o texto final tem limite de 1024 caracteres).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Campo do modelo em formato inválido.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira os valores dos campos: sem quebras de linha, sem tabulações e no formato que o modelo espera.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelo pausado pela Meta por baixa qualidade.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O envio foi reagendado para daqui a 3 horas; se tiver pressa, use outro modelo aprovado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelo desativado pela Meta; crie outro.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Crie um modelo novo com outro nome e texto mais claro e envie para aprovação.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Erro temporário na Meta; nova tentativa.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nada a fazer agora: o programa tenta de novo sozinho.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp indisponível; nova tentativa.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conta em manutenção; novo envio em 1 minuto.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nada a fazer: o programa tenta de novo em 1 minuto.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limite de consultas à Meta; sincronização adiada.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A sincronização de modelos e do número será feita mais tarde, sozinha.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acesso à Meta expirado. Renove o token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os envios deste número foram interrompidos. Gere um token de usuário do sistema (que não expira) na Meta e salve-o nas configurações.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Falta permissão no aplicativo da Meta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Número da loja não registrado corretamente na Meta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os envios foram interrompidos. Confira o identificador do número (phone number id) nas configurações e o registro do número na Meta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Número bloqueado pela Meta; veja o Gerenciador do WhatsApp.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os envios foram interrompidos. Veja o motivo no Gerenciador do WhatsApp e, se discordar, peça revisão à Meta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problema de pagamento na conta da Meta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os envios foram interrompidos. Confira a forma de pagamento no Gerenciador de Negócios da Meta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este envio exige o telefone do cliente.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cadastre o telefone do cliente e envie de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limite de envios atingido.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As campanhas foram pausadas; veja o Gerenciador do WhatsApp.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Um campo do modelo é longo demais.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cabeçalho do modelo inválido.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corpo do modelo inválido.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rodapé do modelo inválido.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Variáveis demais para o tamanho do texto do modelo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O texto do modelo não pode começar nem terminar com um campo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limite de modelos da conta atingido.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apague modelos que não usa mais no Gerenciador do WhatsApp e tente de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Já existe um modelo com este nome e idioma.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use outro nome para o modelo (um nome apagado só pode ser reutilizado depois de algumas semanas).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sem conexão com a Meta; nova tentativa.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira a internet deste computador; o programa tenta de novo sozinho.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Meta recusou o envio (código {code}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira a mensagem e o telefone; se continuar, procure o suporte com o arquivo de registro.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Envio sem confirmação da Meta: a mensagem pode ter sido entregue ou não.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O programa não reenvia sozinho para não mandar duas vezes. Se um status da Meta chegar, a mensagem é atualizada; senão, confira a conversa no WhatsApp e decida se envia de novo.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CommitmentsPanel</name>
    <message>
        <source>Cancelar promessa…</source>
        <extracomment>the operator asked to cancel this open promise (`PromiseRecord`) the operator asked to cancel this active agreement (`AgreementRecord`)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma promessa de pagamento registrada.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelar acordo…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum acordo feito.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promessas ({open} em aberto de {total})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acordos ({total})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Nota interna</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Só a equipe vê; nunca vai para o devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enviar depois…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clique para enviar agora</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enviar PIX</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O PIX copia e cola do valor em aberto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enviar link wa.me</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O link da loja no WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Oferecer ligação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pergunta se o devedor prefere uma ligação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha uma conversa para responder.</source>
        <extracomment>a reply, template or action was queued (`SendOutcome`) the operator started (True, repeated every TYPING_HEARTBEAT while typing) or stopped (False: cleared, sent, another conversation) writing a reply a private note was added (its message id)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha quem você é em “Você é:” no alto da caixa de entrada para responder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Esta conversa está com {name} — peça a transferência.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>outra pessoa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} está respondendo…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outra pessoa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A janela de 24 horas fechou. Seu texto foi guardado: use um modelo abaixo ou mude para Nota interna.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Só o dono da loja pode confirmar este envio.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nota interna: só a equipe vê (Ctrl+Enter salva)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escreva a resposta… (/ para respostas rápidas · Ctrl+Enter envia)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Salvar nota</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirmar e enviar…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agendar (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enviar (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens novas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leia as mensagens novas antes. Enviar mesmo assim?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enviar mesmo assim</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ler antes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agendada: {when} ✕</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Janela de 24 h fechada: só modelos aprovados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Janela aberta: {h} h {m} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Janela aberta: {m} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Janela aberta: {s} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não pode enviar agora: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>recusada pela regra de envio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>poderá enviar a partir de {when}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Precisa da confirmação do dono: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atenção: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A regra de envio pede a confirmação do dono: {reason}

Por que esta mensagem deve ir mesmo assim? A nota fica no registro de auditoria, com o seu nome.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirmar envio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirmar e enviar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voltar</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConnectionPage</name>
    <message>
        <source>Conectar o número do WhatsApp Business</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copie os valores do aplicativo na Meta: developers.facebook.com › seu aplicativo › WhatsApp › Configuração da API. Use um token de &lt;b&gt;usuário do sistema&lt;/b&gt; (o token temporário do painel expira em 24 horas). O token e o segredo ficam guardados fora do banco de dados e nunca aparecem nos registros.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Só algarismos, ex.: 106540352242922</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Só algarismos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolher onde guardar…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identificação do número de telefone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identificação da conta do WhatsApp Business</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token de acesso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chave secreta do aplicativo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endereço da API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Onde os segredos ficam</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testar conexão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Digite o token de novo para testar: o token salvo não é mostrado nem lido pela tela.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Salvo — deixe em branco para manter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este computador não tem chaveiro do sistema: escolha onde guardar os segredos antes de salvar.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Meta respondeu:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationHeaderBar</name>
    <message>
        <source>Assumir</source>
        <extracomment>the least room the name keeps beside the actions before they move under the details</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transferir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passar a conversa para outra pessoa ou devolvê-la para a fila</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marca a conversa como resolvida; ela reabre sozinha se o devedor escrever de novo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marcar a conversa com etiquetas (promessa, acordo…)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mostrar ou esconder os dados do devedor à direita</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Com você</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Com {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resolvida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disse que não é a pessoa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passa a conversa para você</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tira a conversa de {name} e passa para você</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Etiquetas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resolver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reabrir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Na fila, sem responsável</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pediu para não receber mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} está respondendo…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devolver para a fila</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nova etiqueta…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nova etiqueta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome da etiqueta (ex.: promessa, acordo):</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>Minhas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não atribuídas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Todas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aguardando resposta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resolvidas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buscar nome ou telefone (Ctrl+K)</source>
        <extracomment>the user picked a tab (InboxFilter) a conversation was chosen (click, keyboard, Alt+Up/Down) the tab changed (an InboxFilter value) the search text changed</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma conversa nesta aba</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CostsPanel</name>
    <message>
        <source>Gasto no mês</source>
        <extracomment>the most bars the chart shows (the rest are in the table) the most rows the table grows to before it scrolls narrower than this, the chart goes below the table</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gasto no período</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custo por R$ 100 recuperados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Categoria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entregues</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gasto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Por mensagem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens entregues ou lidas no período: a Meta cobra as entregues (algumas são gratuitas, como as de utilidade dentro da janela de 24 h).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O gasto da linha dividido pelas mensagens, com quatro casas decimais.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma mensagem entregue no período.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gasto por modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gasto por categoria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tabela de preços…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custos por modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gasto por modelo no período</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gasto em {month}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{first} a {last} · {messages}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{amount} recuperados no período</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nada recuperado no período.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 mensagem entregue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} mensagens entregues</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sem modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gasto (R$)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>R$ (ao centavo)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custos</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CostsViewModel</name>
    <message>
        <source>{month} de {year}</source>
        <extracomment>the decimals a price per message shows (micros rounded half up to 1/10 000 real)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens livres (sem modelo)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Como o gasto é calculado: cada mensagem entregue (ou lida) custa o preço da tabela vigente no dia em que saiu, pela categoria do modelo, ou pela que a Meta informou ao cobrar; a Meta conta o dia em UTC.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Até {last} os preços são em dólar e viram reais pela cotação salva ({rate} por US$ 1); desde {first}, em reais.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preços em dólar viram reais pela cotação salva ({rate} por US$ 1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens livres (serviço) são gratuitas até {last} e cobradas desde {first}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os totais são arredondados ao centavo só no fim; o preço por mensagem tem quatro casas (R$ 0,0367 é menos de quatro centavos).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>Cobrador Desktop — erro inesperado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O Cobrador Desktop encontrou um erro inesperado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O que você estava fazendo não foi concluído. Copie o relatório abaixo e envie ao suporte junto com o que estava fazendo naquele momento. O relatório não inclui senhas nem tokens de acesso.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registro completo: {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copiar relatório</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fechar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copiado!</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DebtorDetail</name>
    <message>
        <source>PIX</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dinheiro</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cartão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Boleto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transferência</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outro</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em aberto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paga</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contestada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>na fila</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>enviando</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>enviada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entregue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>falhou</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sem confirmação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>recebida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagamento registrado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nota adicionada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dados anonimizados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dados do titular exportados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pediu para não receber mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autorização de mensagens registrada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pediu uma ligação: tarefa de ligar para o devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identidade confirmada no número</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Número não é do devedor (&quot;não sou eu&quot;): tarefa de buscar outro telefone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promessa de pagamento registrada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promessa cumprida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promessa não cumprida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promessa cancelada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acordo feito</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acordo quitado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acordo rompido (parcela em atraso)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acordo cancelado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cumprida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não cumprida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ativo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quitado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rompido</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telefone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Balcão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Celular</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fixo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tipo não informado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 dia</source>
        <extracomment>lupdate collects `translate(&quot;Context&quot;, &quot;literal&quot;)` calls by this name</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{days} dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Referência: nunca recebe mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não é o devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pediu para não receber</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Na lista de bloqueio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tem WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sem WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp não verificado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autorizou mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sem autorização registrada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Número compartilhado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autorização: {source}, em {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Descadastro: {source}, em {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marcado como “não sou eu” em {when}; só o dono pode desfazer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bloqueio: {source}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp verificado em {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · por {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dívida lançada: {amount}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagamento de {amount} ({method})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagem recebida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagem enviada · {status}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nota</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{amount} para {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total {amount} em {count} parcelas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recebido no acordo: {amount}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paga em dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atrasa às vezes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atrasa sempre</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nunca respondeu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cliente novo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não contatar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Maior atraso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>em dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Próximo vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total pago</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DebtorDetailView</name>
    <message>
        <source>← Devedores (Esc)</source>
        <extracomment>Esc or the back link: return to the list</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Carregando devedor…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adicionar &amp;nota</source>
        <extracomment>&quot;Dossiê (PDF)…&quot;, on the back link&apos;s line (the title&apos;s is full): with a dossier service</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registrar &amp;pagamento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registrar pr&amp;omessa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Propor &amp;acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Código</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPF/CNPJ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endereço</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Responsável</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Etiquetas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cliente desde</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telefones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelar promessa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Por que a promessa de {amount} para {due} é cancelada?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voltar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelar acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Por que o acordo nº {number} ({total}) é cancelado?
As parcelas não pagas são canceladas e as dívidas originais voltam a ficar em aberto, descontado o que já foi pago no acordo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Histórico</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagamentos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acordos e promessas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mostrando as mensagens e registros mais recentes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ninguém</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dívidas ({open} em aberto de {total})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DebtorFilterBar</name>
    <message>
        <source>Em atraso</source>
        <extracomment>typing pauses this long before the list is searched (each keystroke restarts the wait)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vence em 7 dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promessa de pagamento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sem WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não contatar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buscar por nome, CPF/CNPJ, telefone ou descrição da dívida  (Ctrl+F)</source>
        <extracomment>the search text, once typing paused (`SEARCH_DEBOUNCE_MS`) or Enter was pressed a quick filter was chosen (a `DebtorFilter`, or None for &quot;Todos&quot;) a segment was chosen (a `Segment`, or None for every segment) the user pressed ↓ (or Esc on an empty box) in the search box: go to the list</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buscar devedores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perfil de pagamento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Todos os perfis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devedores com uma promessa de pagamento em aberto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Todos</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DebtorTableModel</name>
    <message>
        <source>Não contatar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em atraso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em dia</source>
        <extracomment>the segments as the screen names them (context &quot;DebtorTableModel&quot;)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quitado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atrasa às vezes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atrasa sempre</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nunca respondeu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Novo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPF/CNPJ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telefone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em aberto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Maior atraso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Próx. venc.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Últ. contato</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Situação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dias desde o vencimento mais antigo ainda em aberto</source>
        <extracomment>which column sorts by what, and the direction the service reads that order in `data(index, ROW_ROLE)` gives the whole `DebtorRow` how often data() makes sure the formatted cells are still of today</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Próximo vencimento de uma dívida em aberto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Última mensagem trocada com o devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não contatar, em acordo, em atraso, em dia ou quitado; o perfil de pagamento aparece ao passar o mouse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clique para ordenar por esta coluna</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pediu para não receber mensagens de cobrança</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} dívida(s) em aberto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perfil de pagamento: {segment}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sem WhatsApp em nenhum telefone próprio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum telefone próprio pode receber mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>em dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{days} dias</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DebtorsView</name>
    <message>
        <source>1 selecionado</source>
        <extracomment>widest usual content per column, to size columns before any data arrives Enter on a row (the current one)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} selecionados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} devedores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devedores</source>
        <extracomment>the first page of the list is on screen (or the list is known to be empty) the user asked to open a debtor (Enter or double-click): its id the selected debtors changed (their ids, in list order) &quot;Importar planilha…&quot; (the button, or the empty list&apos;s action)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quem deve, quanto e desde quando</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Carregando…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importar planilha…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exportar lista…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grava os devedores mostrados, com a busca, o filtro e a ordem atuais, numa planilha do Excel (.xlsx) ou num CSV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Carregando devedores…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum devedor cadastrado ainda</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aqui aparece quem deve para a loja: quanto está em aberto, há quantos dias está atrasado e quando vence a próxima parcela. Comece importando a planilha de clientes (Excel ou CSV), com uma linha por dívida. Para só conhecer o programa, abra a demonstração, que usa dados de exemplo numa pasta separada:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum devedor encontrado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum devedor corresponde à busca e aos filtros escolhidos. Confira o que foi digitado: a busca acha partes do nome, CPF/CNPJ, telefone (com ou sem DDD) e a descrição das dívidas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limpar busca e filtros</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A demonstração está sem dados de exemplo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os devedores de exemplo não foram criados nesta pasta de demonstração. Feche o programa e abra a demonstração de novo, recriando os dados:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DebtsTable</name>
    <message>
        <source>Descrição</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcela</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saldo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atraso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Situação</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DonePage</name>
    <message>
        <source>Pronto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O que ficou para depois pode ser feito a qualquer momento em Configurações › Assistente de configuração.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DossierButton</name>
    <message>
        <source>Dossiê (PDF)…</source>
        <extracomment>(id, name) of the debtor on screen, or None while none is loaded</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Um PDF com tudo sobre este devedor — dívidas, pagamentos, acordos, cada mensagem com a situação de entrega, autorizações e descadastros, o registro de auditoria — para uma contestação, o Procon ou um advogado. CPF e telefones saem mascarados.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Salvar o dossiê do devedor</source>
        <extracomment>asks where to write, given the offered path; None when cancelled (tests replace it) the last message shown (success or error), for tests and screen readers</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Documento PDF (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gerando dossiê…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dossiê gerado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O dossiê foi gravado em {path}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DossierPdf</name>
    <message>
        <source>não verificada</source>
        <extracomment>lupdate collects `translate(&quot;DossierPdf&quot;, &quot;literal&quot;)` calls by this name</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>aguardando resposta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>confirmada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>negada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dossiê de cobrança — {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Titular anonimizado em {when} (LGPD): nome, CPF, telefones, endereço e textos das mensagens foram apagados; valores, datas e situações permanecem para a contabilidade da loja.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Credora</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} · CPF/CNPJ {document}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gerado em</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{when} por {who}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Datas e horas no fuso da loja ({zone}). Documento gerado pelo Cobrador Desktop a partir dos registros do programa.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>identificação da loja não cadastrada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{legal} ({trade}) · CNPJ {document}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1. Loja (credora)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A loja ainda não cadastrou sua identificação (Configurações › Loja).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Razão social</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome fantasia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CNPJ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endereço</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2. Devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPF/CNPJ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cadastrado em</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Situação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em aberto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dados pessoais mascarados (LGPD): o CPF mostra só os dígitos do meio e cada telefone só o DDD e os quatro últimos dígitos; endereço e e-mail não constam.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>3. Telefones, autorização e descadastro</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telefone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autorização (opt-in)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Descadastro (opt-out)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identidade e engano</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum telefone cadastrado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>referência (nunca recebe mensagens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>do devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{source}, em {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Texto: “{text}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registrado por: {who}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>o próprio titular</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sem autorização registrada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pediu para não receber em {when}
Origem: {source}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagem: “{text}” ({when})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não pediu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bloqueado: {source}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identidade: {state}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marcado “não sou eu” em {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>4. Dívidas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nº</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Descrição</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcela</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saldo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma dívida.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>5. Pagamentos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dívida nº</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forma</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registrado por</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registrado em</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Observação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum pagamento registrado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>6. Acordos e promessas de pagamento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Feito em</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Condições</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nº {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recebida do devedor
{phone}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enviada por {who}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enviada automaticamente</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>para {phone}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dívidas renegociadas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum acordo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promessa feita em</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Canal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Para</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma promessa de pagamento.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total {total} em {n} parcela(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entrada {amount}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1º vencimento {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Principal {principal}, multa {fine}, juros {interest}, desconto {discount}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>7. Notas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data e hora</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nota</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma nota.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>8. Mensagens ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As conversas do titular anonimizado foram desligadas dele e os textos apagados; as mensagens não constam.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Todas as mensagens de todas as conversas do devedor, em ordem de horário, com a situação de entrega informada pelo WhatsApp.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>De / para</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entrega</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma mensagem trocada.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>({type}, sem texto)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelo {name}:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>em {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Erro {code}: {detail}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>9. Registro de auditoria ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quem fez o quê sobre este devedor, seus telefones e conversas, tirado do registro encadeado do programa (nenhuma linha pode ser mudada sem quebrar a cadeia).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O quê</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sobre</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detalhes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum registro.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sistema</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HealthPanel</name>
    <message>
        <source>Qualidade do número na Meta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A nota que a Meta dá ao número pelas reações dos clientes (bloqueios e denúncias). Amarela ou vermelha: a régua para de enviar em massa até melhorar.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limite de envios</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantos clientes diferentes a loja pode procurar por dia com modelos. A Meta aumenta o limite quando a qualidade se mantém boa.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Falhas nos últimos {dias} dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Motivo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O que fazer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Código</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Última vez</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma mensagem falhou nos últimos {dias} dias.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Falhas de envio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelos de mensagem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Categoria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Situação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Qualidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Motivo da Meta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum modelo lido da Meta ainda. Conecte o número em Configurações › Assistente de configuração; os modelos são lidos ao conectar e uma vez por dia.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registrada em {quando}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Última leitura da Meta: {quando}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ainda não lida da Meta: conecte o número em Configurações › Assistente de configuração.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens que falharam de {desde} até agora, qualquer que seja o período escolhido acima ({total} no total).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} modelo(s) que a Meta não deixa enviar (em vermelho): corrija-os ou use outros na tela Modelos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Todos os modelos podem ser enviados ou estão em análise.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HoursSection</name>
    <message>
        <source>Horários e limites de cobrança</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cobrar aos sábados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não cobrar em pontos facultativos (Carnaval, Corpus Christi…)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Segunda a sexta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sábado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Feriados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens por devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Intervalo mínimo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entre duas mensagens ao devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirmar identidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tentativas, a cada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promessa de pagamento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>espera</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>depois da data prometida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Horários no fuso do devedor, entre 08:00 e 20:00. Domingos e feriados nacionais nunca recebem cobrança.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>das</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>às</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>por dia, até</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>por semana</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Import</name>
    <message>
        <source>nome vazio</source>
        <extracomment>what a cell may hold: text (CSV), or what openpyxl gives (numbers, dates, booleans) (E.164, &quot;mobile&quot; | &quot;landline&quot; | &quot;unknown&quot;), in the order the file gives them</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPF/CNPJ “{value}” inválido (os dígitos verificadores não conferem)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPF/CNPJ “{value}” inválido (o CPF tem 11 dígitos e o CNPJ 14 caracteres)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>valor vazio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>valor “{value}” ilegível (escreva 1.234,56)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>valor “{value}” é zero</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>valor “{value}” é negativo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>vencimento vazio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>vencimento “{value}” ilegível (use dd/mm/aaaa)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>vencimento “{value}” não existe no calendário</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>identificador “{value}” longo demais (no máximo 80 caracteres)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>telefone “{value}” ignorado (número inválido)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e-mail “{value}” ignorado (endereço inválido)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>há {count} devedores chamados “{name}”; informe o CPF/CNPJ ou o telefone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lendo o arquivo</source>
        <extracomment>how many rows the header may sit below the top (a title row, a blank line, a logo)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conferindo as linhas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gravando no banco de dados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sem CPF/CNPJ nem telefone para saber quem pagou</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPF/CNPJ “{value}” inválido</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>telefone “{value}” inválido</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>valor pago vazio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>valor pago “{value}” ilegível (escreva 1.234,56)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>valor pago “{value}” não é positivo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>data do pagamento vazia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>data do pagamento “{value}” ilegível (use dd/mm/aaaa)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>data do pagamento “{value}” não existe no calendário</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>data do pagamento {value} é depois de hoje</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>data do pagamento {value} tem mais de dez anos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nenhum devedor com o CPF/CNPJ {document}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nenhum devedor com o telefone {phone}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>o telefone {phone} é de {count} devedores; informe o CPF/CNPJ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>valor pago {amount} é maior que o saldo em aberto de {name} ({balance})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} não tem dívida em aberto</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportFilePage</name>
    <message>
        <source>Nenhum arquivo escolhido</source>
        <extracomment>the &quot;Escolher arquivo…&quot; button was clicked another sheet of the XLSX was chosen (its name)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolher arquivo…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aba da planilha:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha a planilha de clientes exportada do seu sistema ou do Excel: um arquivo CSV ou XLSX com uma linha de cabeçalho e uma linha por dívida. Nada é gravado antes do último passo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lendo o arquivo…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{described} · {rows} linhas de dados</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportMappingPage</name>
    <message>
        <source>Coluna da planilha</source>
        <extracomment>a column&apos;s field changed</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exemplos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importar como</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira o que cada coluna da planilha contém. Nome, Valor e Vencimento são obrigatórios; colunas marcadas como “(ignorar)” não são importadas. Pode haver mais de uma coluna de Telefone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coluna {number} (sem nome)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Falta indicar a coluna de: {fields}. Escolha-a na lista “Importar como”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mais de uma coluna está como {field}: deixe só uma e marque as outras como “(ignorar)”.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportPage</name>
    <message>
        <source>Primeira planilha de devedores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traga os devedores de uma planilha (Excel, CSV ou LibreOffice): o programa mostra as colunas, confere CPF, telefone e valores antes de gravar, e nada é enviado durante a importação. Guarde junto a origem da autorização (opt-in) de cada pessoa para receber mensagens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importar planilha…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportPreviewPage</name>
    <message>
        <source>Linha</source>
        <extracomment>the opt-in choice or its source text changed</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPF/CNPJ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telefones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Descrição</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Motivo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estes clientes autorizaram receber mensagens no WhatsApp (registrar opt-in)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marque só se a loja tem a autorização de cada cliente desta planilha. O programa guarda, em cada telefone, a origem escrita abaixo, a data e quem importou, como prova do consentimento (LGPD); números bloqueados ou que pediram para sair não mudam.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>De onde veio a autorização (ex.: ficha de crediário assinada)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conferindo as linhas…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{total} linhas de dados: {clean} prontas para importar, {rejected} rejeitadas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 telefone ou e-mail ilegível será deixado de fora.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} telefones ou e-mails ilegíveis serão deixados de fora.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A tabela mostra as primeiras {count}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma linha pode ser importada: corrija a planilha ou as colunas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escreva de onde veio a autorização, ou desmarque o opt-in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prontas para importar ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rejeitadas ({count})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportProgressPage</name>
    <message>
        <source>Preparando a importação…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tudo é gravado de uma vez no final: se cancelar, nada fica gravado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{done} de {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelando… nada será gravado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use “Voltar” para tentar de novo ou “Fechar” para sair.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportReportPage</name>
    <message>
        <source>Linha</source>
        <extracomment>the &quot;Salvar relatório…&quot; button was clicked</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Motivo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Salvar relatório…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importação de {file} concluída.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{table} · {rows} linhas de dados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Linhas rejeitadas (não importadas): corrija-as na planilha e importe de novo; o que já entrou não é duplicado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma linha rejeitada.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <source>Importar planilha</source>
        <extracomment>the import finished and was committed (its `ImportReport`)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voltar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Avançar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha a planilha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira as colunas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira as linhas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importando</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resultado da importação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importar planilha · passo {step} de 5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Concluir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelar importação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fechar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolher planilha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Planilhas (*.csv *.xlsx *.txt);;Todos os arquivos (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A importação não foi feita</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A importação parou por um erro inesperado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nada foi gravado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Salvar relatório</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Texto (*.txt)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não foi possível salvar o relatório em {path}: {detail}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>linha {line}: {reasons}</source>
        <extracomment>clean rows shown in the preview rejected lines listed on screen (the report file has them all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>devedores novos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>devedores atualizados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dívidas novas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>linhas rejeitadas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>telefones com opt-in registrado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importação de {file} concluída.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arquivo: {table}; {rows} linhas de dados.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colunas: {mapping}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>avisos: {count}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(ignorar)</source>
        <extracomment>example values shown for each column on the mapping page</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPF/CNPJ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telefone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Descrição</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Código da dívida</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InboxDebtorPanel</name>
    <message>
        <source>Abra uma conversa para ver o devedor.</source>
        <extracomment>open debts listed before &quot;+ N outras&quot; Abrir ficha completa (the debtor id) a payment, promise or agreement was recorded here (lists and badges may have changed)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Carregando devedor…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Número desconhecido

Este número não está no cadastro de nenhum devedor. Confira quem é antes de falar de dívidas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registrar pagamento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registrar promessa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Propor acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acordo e promessas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telefones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abrir ficha completa →</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A ficha do devedor não está disponível nesta instalação.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Código {code}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Responsável: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dívidas em aberto ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcela {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>vence {due}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>venceu {due} · {days} de atraso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+ {count} outras na ficha completa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nada em aberto.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Acordo nº {number}&lt;/b&gt; em andamento: {total} em {count}x, 1ª parcela em {first}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Promessa&lt;/b&gt;: {amount} até {due}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum acordo ou promessa em aberto.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InboxNotifier</name>
    <message>
        <source>Nova mensagem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} mensagens novas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{names} e mais {n}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InboxTemplates</name>
    <message>
        <source>Em análise na Meta: só pode ser usado depois de aprovado.</source>
        <extracomment>why a template cannot be chosen, by Meta&apos;s status</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rejeitado pela Meta: corrija o modelo na tela Modelos e envie de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pausado pela Meta por causa de reclamações: aguarde ou use outro modelo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Desativado pela Meta: use outro modelo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Indisponível na Meta (situação {status}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este número não está ligado a nenhum devedor: um modelo de cobrança não pode ser enviado a ele.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O devedor não tem valor em aberto para preencher este modelo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O devedor não tem dívida registrada para preencher este modelo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não sabemos com que dados preencher este modelo (finalidade desconhecida).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InboxView</name>
    <message>
        <source>Caixa de entrada</source>
        <extracomment>the user asked to see the debtor list instead</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversas do WhatsApp com os devedores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma conversa por aqui ainda</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A caixa de entrada vai reunir as conversas do WhatsApp com os devedores, para a equipe responder junta pelo mesmo número, com respostas prontas de um clique. Ela chega numa próxima versão; depois, é só conectar o número do WhatsApp Business em Configurações. Enquanto isso, a lista de devedores já está disponível.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Próxima versão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ver devedores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Você é:</source>
        <extracomment>below this width of the inbox the debtor panel starts hidden (the header&apos;s &quot;Devedor&quot; shows it) kept from the &quot;coming soon&quot; page: the user asked for the debtor list open this debtor in the Devedores page</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Selecione uma conversa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha uma conversa na lista à esquerda para ler e responder. Use Alt+↑ e Alt+↓ para passar de uma conversa a outra.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A caixa de resposta aparece aqui.</source>
        <extracomment>True once the user dragged the splitter or a saved layout was restored True once the user showed or hid the debtor panel (else it follows the width)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os dados do devedor aparecem aqui.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>KnownError</name>
    <message>
        <source>Não foi possível gravar a exportação em {path}: {detail}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha outra pasta ou outro nome de arquivo. Nenhum arquivo foi alterado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>COBRADOR_CLOCK_START inválido: “{value}”.</source>
        <extracomment>where `serve` and the window receive webhooks unless told otherwise hosts a shifted clock may send to: the local emulator, never Meta</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use um instante ISO-8601 com fuso, por exemplo 2026-12-07T14:00:00Z, ou remova a variável.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>COBRADOR_CLOCK_START só vale com o emulador local, e a API configurada é {url}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remova COBRADOR_CLOCK_START: com o número real, o programa usa o relógio do computador (os horários de contato dependem dele).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Faltam segredos do WhatsApp para receber webhooks: {missing}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Defina as variáveis de ambiente WHATSAPP_APP_SECRET (o segredo do aplicativo na Meta) e WHATSAPP_VERIFY_TOKEN (o texto que você escolheu ao cadastrar o webhook), ou salve-os na conexão do programa (Configurações › Assistente de configuração), e rode de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Para enviar webhooks assinados, o emulador precisa de WHATSAPP_APP_SECRET.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Defina WHATSAPP_APP_SECRET com o mesmo segredo usado pelo “serve” (ou pelo programa) e rode de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As colunas da planilha não servem: {detail}.</source>
        <extracomment>header names that mean each field (compared after `header_key`) how reports and messages name each field (the `--map` names stay the English values) a file is unusable without these fields several columns may feed (a sheet with &quot;Telefone&quot; and &quot;Celular&quot;)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colunas encontradas: {columns}. Renomeie a coluna no arquivo ou indique-a com --map &quot;Nome da coluna=campo&quot; (campos: name, document, phone, email, description, amount, due_date, external_id). Nada foi gravado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importação cancelada.</source>
        <extracomment>the usual way a pt-BR amount is written (`1.234,56`, `R$ 99,90`): read without `parse_brl`, with the same result (a property test compares them) marks a memo key made of (type, value) pairs what one person&apos;s cells give: name, name key, (document, type) or None, phones, problems (rejecting the row), warnings (left out of it), e-mail</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nada foi gravado: o banco de dados ficou como estava antes da importação.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo {path} não é uma cópia de segurança do Cobrador Desktop (ou está danificado): {detail}.</source>
        <extracomment>a SQLite backup older than this makes `check` say AVISO; also the age of a &quot;recent&quot; pg_dump where `check` and Configurações look for pg_dump files besides `&lt;data-dir&gt;/backups`</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nada foi alterado. Escolha outro arquivo, de preferência um da pasta de cópias de segurança ({folder}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A cópia {path} foi feita por uma versão mais nova do Cobrador Desktop (esquema {found}; esta versão conhece até {known}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nada foi alterado. Instale a versão mais recente do programa e restaure a cópia por ela.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo {path} não existe.</source>
        <extracomment>the encodings a Brazilian shop&apos;s export comes in besides UTF-8: detection picks among these only (left free, charset-normalizer reads short Portuguese text as cp1250 or big5) XLSX files up to this size are read whole, so merged cells can be filled in</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira o caminho. As cópias automáticas ficam em {folder}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não foi possível fazer a cópia de segurança: {detail}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira o espaço livre no disco e se a pasta {folder} pode ser gravada; o programa tenta de novo daqui a pouco.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O banco de dados está num servidor PostgreSQL: as cópias de segurança são feitas com as ferramentas do próprio PostgreSQL, não por este comando.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Para copiar: pg_dump --format=custom --file=cobrador-AAAAMMDD.dump &quot;&lt;endereço do banco&gt;&quot; (agende todo dia no servidor, numa pasta que o comando check confere: &lt;pasta de dados&gt;/backups ou a variável COBRADOR_PG_DUMP_DIR). Para restaurar, com todos os programas fechados: pg_restore --clean --if-exists --dbname=&quot;&lt;endereço do banco&gt;&quot; cobrador-AAAAMMDD.dump.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O banco de dados {path} está aberto em outro programa do Cobrador Desktop (a janela ou o serve).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nada foi alterado. Feche o programa (e pare o serve) e rode o comando de novo, ou restaure pela janela: Configurações › Cópias de segurança.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ainda não há banco de dados em {path}: não há o que copiar.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abra o programa uma vez (ou confira --data-dir e --database-url).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira o nome e a pasta do arquivo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não foi possível ler o arquivo {path}: {detail}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Feche o arquivo em outros programas, confira as permissões e tente de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo {path} está vazio.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo {path} só tem o cabeçalho: nenhuma linha de dados.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporte a planilha de novo, com uma linha de cabeçalho e uma linha por dívida (confira se é a aba certa: --sheet). Nada foi gravado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo {path} não é uma planilha CSV nem XLSX.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo {path} está no formato antigo do Excel (.xls).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abra-o no Excel ou no LibreOffice e salve como XLSX ou CSV. Nada foi gravado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não foi possível ler a planilha XLSX {path}: {detail}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A planilha {path} não tem a aba “{sheet}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abas da planilha: {sheets}. Use --sheet com uma delas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo {path} tem um erro de formato CSV perto da linha {line}: {detail}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira as aspas dessa linha ou exporte a planilha de novo. Nada foi gravado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ocorreu um problema.</source>
        <extracomment>the `backup` parameter&apos;s value when there is no backup to offer</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor inválido: {value}.</source>
        <extracomment>exit status for the command line (INTERFACES.md §1: 2 = bad usage or unreadable input)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira o valor e tente de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor em reais inválido: “{value}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escreva o valor como 1.234,56 ou 1234,56 (sem letras).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telefone inválido: “{value}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Informe o DDD e o número, por exemplo (11) 98765-4321.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPF/CNPJ inválido: “{value}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira os dígitos: o número não passa na verificação da Receita Federal.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data inválida: “{value}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use o formato dd/mm/aaaa, por exemplo 05/10/2026.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não é possível gravar na pasta de dados {path}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verifique as permissões da pasta ou escolha outra com --data-dir (ou a variável COBRADOR_DATA_DIR).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O banco de dados {path} está danificado ou não é um banco do Cobrador Desktop.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo não foi alterado. Restaure a cópia de segurança mais recente ({backup}) ou procure o suporte.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo não foi alterado. Não há cópia de segurança nesta pasta de dados: procure o suporte com este arquivo antes de apagá-lo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O banco de dados foi criado por uma versão mais nova do Cobrador Desktop (esquema {found}; esta versão conhece até {known}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Instale a versão mais recente do programa. Nada foi alterado no banco.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não foi possível conectar ao banco de dados: {detail}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira o endereço (--database-url), se o servidor está ligado e a rede, e tente de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endereço de banco de dados inválido ou não suportado: “{value}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use sqlite:///caminho/para/cobrador.db ou postgresql+psycopg://usuario:senha@servidor/banco (--database-url ou COBRADOR_DATABASE_URL).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A atualização do banco de dados falhou: {detail}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O banco ficou como estava antes. Uma cópia de segurança foi salva em {backup}; procure o suporte com o arquivo de registro.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O banco ficou como estava antes. Procure o suporte com o arquivo de registro.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O comando “{command}” ainda não está disponível nesta versão.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ele chega numa próxima versão do Cobrador Desktop.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este banco de dados já tem dados; os dados de exemplo não foram criados.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use o comando “demo”, que guarda os exemplos numa pasta separada, ou “demo --reset” para recriá-los do zero.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devedor não encontrado (código {debtor_id}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ele pode ter sido apagado em outro computador. Volte à lista e busque de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagamento inválido.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira os dados do pagamento e tente de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O valor do pagamento precisa ser maior que zero.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Informe o valor recebido, por exemplo 150,00.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A data do pagamento ({date}) é depois de hoje.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registre o pagamento quando o dinheiro entrar, com a data em que entrou.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A data do pagamento ({date}) é antiga demais.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira o ano da data do pagamento.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O pagamento de {amount} é maior que o saldo em aberto ({balance}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registre no máximo o saldo em aberto. Se o cliente pagou a mais, combine a devolução ou o crédito com ele e anote nas notas do devedor.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Esta dívida não recebe pagamentos: ela está {status}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha uma dívida em aberto ou contestada.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este devedor não tem dívida em aberto para receber pagamento.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagamentos só podem ser registrados em dívidas em aberto ou contestadas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A nota está vazia.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escreva o que aconteceu antes de salvar a nota.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A nota tem {length} caracteres; o limite é {limit}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resuma a nota ou divida-a em duas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os dados pessoais deste devedor foram anonimizados.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não é possível acrescentar notas a um devedor anonimizado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promessa de pagamento inválida.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira o valor e a data prometidos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O valor prometido precisa ser maior que zero.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Informe quanto o devedor prometeu pagar.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O valor prometido ({amount}) passa do que está em aberto ({balance}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uma promessa vale no máximo o saldo em aberto.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A data prometida ({date}) precisa ser entre hoje e {latest}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uma promessa vale de hoje até {days} dias à frente; para prazos maiores, proponha um acordo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Esta promessa não está mais em aberto.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Só promessas em aberto podem ser canceladas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diga por que está cancelando.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O motivo fica no histórico do devedor, por exemplo “devedor desistiu”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acordo inválido.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira os dados do acordo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha ao menos uma dívida em aberto para o acordo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Só dívidas em aberto ou contestadas, com saldo, entram num acordo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A multa de {fine} passa do limite de 2 %.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O Código de Defesa do Consumidor (art. 52, § 1º) limita a multa por atraso a 2 % do valor devido.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Juros de {interest} ao mês estão fora do permitido (0 % a {cap}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira a taxa de juros mensal.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O número de parcelas precisa ser de 1 a {max}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira o número de parcelas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O desconto ({discount}) precisa ser de zero até {limit}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O desconto não pode passar do valor devido mais a multa.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A entrada ({down}) precisa ser menor que o total do acordo ({total}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diminua a entrada ou, se o devedor paga tudo agora, registre um pagamento.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O primeiro vencimento ({date}) precisa ser entre hoje e {latest}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As parcelas vencem uma por mês a partir do primeiro vencimento.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As dívidas escolhidas mudaram enquanto o acordo era montado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Feche a janela, confira os saldos e proponha o acordo de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este acordo não está mais ativo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Só acordos ativos podem ser cancelados; acordos quitados, rompidos ou cancelados ficam no histórico.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>paga</source>
        <extracomment>statuses that may receive a payment (a disputed debt may still be paid) a payment older than this is a typo in the year, not a late entry longest note kept with a payment how a status reads inside &quot;ela está …&quot; (DebtNotPayable)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>num acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exportação cancelada.</source>
        <extracomment>the screen&apos;s columns, in its order and with its names (&quot;Maior atraso&quot; in days)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum arquivo foi gravado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não sei gravar arquivos “{suffix}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha um nome terminado em .csv ou .xlsx.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colunas encontradas: {columns}. Renomeie a coluna no arquivo ou indique-a com --map &quot;Nome da coluna=campo&quot; (campos: document, phone, amount, paid_on, description, method). Nada foi gravado.</source>
        <extracomment>header names for each payment field (compared after `header_key`) how the method column&apos;s words map to `PaymentMethod` (folded, first word that matches)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{value}” não serve para “{setting}”: use um número inteiro de {minimum} a {maximum}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrija o valor; enquanto isso vale o padrão ({default}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{value}” não serve para “{setting}”: use sim ou não.</source>
        <extracomment>every setting, for a settings screen and for tests</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrija o valor; nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{value}” não serve para “{setting}”: use um horário como 09:00.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrija o horário; nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{value}” não serve para “{setting}”: use {choices}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha uma das opções; nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preencha “{setting}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O campo é obrigatório (até {maximum} caracteres); nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A janela “{setting}” ({start}–{end}) não serve: ela deve começar antes de terminar e ficar entre 08:00 e 20:00.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma lei estadual permite cobrança fora de 08:00–20:00; corrija os horários. Nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{value}” não é uma data válida para “{setting}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use o formato dia/mês/ano; nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a sigla de um estado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O texto da mensagem é longo demais para caber no link ({length} caracteres no link; o limite é {limit}).</source>
        <extracomment>longest link we hand out: browsers, SMS apps and link shorteners all keep 2,000 characters (far below WhatsApp&apos;s own 4,096-character message limit, so that one never binds first)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encurte o texto: letras acentuadas e símbolos ocupam mais espaço no link.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A chave PIX da loja não está configurada (falta: {missing}).</source>
        <extracomment>QR error correction (M: 15 % of the symbol may be damaged) and quiet zone, COMPLIANCE.md §6.6 pixels per module: V1 (a version-8 symbol, 49 modules + quiet zone) is 570 px wide</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Informe no comando --key CHAVE --name &quot;NOME NO PIX&quot; --city CIDADE, por exemplo: pix 150,00 --key 11.222.333/0001-81 --name &quot;Loja Exemplo&quot; --city Campinas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não foi possível gravar o QR Code em {path}: {detail}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome do recebedor PIX inválido: “{value}”.</source>
        <extracomment>txid of a code that is not tied to one charge field 54 holds at most 10 integer digits: R$ 9.999.999.999,99</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Informe o nome como o banco mostra na conta, com até 25 letras ou números.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cidade do recebedor PIX inválida: “{value}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Informe a cidade da loja com letras, até 15 (ela é cortada se passar).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor do PIX fora do permitido: “{value}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O valor precisa ser maior que zero e de no máximo 9.999.999.999,99.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identificador da cobrança (txid) inválido: “{value}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use de 1 a 25 letras sem acento ou números, sem espaços nem símbolos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Informação adicional do PIX vazia ou longa demais: “{value}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use um texto curto, sem dados pessoais (a chave e o texto juntos têm no máximo 77 caracteres), por exemplo “Parcela 1 de 3”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Código PIX copia e cola inválido: {detail}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copie o código de novo, inteiro, de onde ele veio; não altere nenhum caractere.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>há letras acentuadas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>campo malformado na posição</source>
        <extracomment>field 01: None, &quot;11&quot; (reusable) or &quot;12&quot; (single use, only a hint for Pix)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>o campo passa do tamanho declarado na posição</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>campo repetido na posição</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>não começa com 000201</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>não termina com o CRC (6304…)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>o CRC não confere (código alterado ou incompleto)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>faltam campos obrigatórios</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>método de iniciação desconhecido</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>não é um código PIX (GUI)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>não é um código PIX estático (chave)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>categoria, moeda ou país fora do padrão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>valor fora do formato</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>falta o identificador (62.05)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chave PIX inválida: “{value}”.</source>
        <extracomment>longest key: the DICT&apos;s limit for e-mail keys</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use um CPF ou CNPJ válido, um celular com DDD (+55 11 98765-4321), um e-mail ou a chave aleatória (como 123e4567-e89b-12d3-a456-426614174000).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O telefone “{value}” não serve como chave PIX.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A chave PIX de telefone é um celular brasileiro: informe o DDD e os 9 dígitos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{value}” pode ser um CPF ou um celular.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escreva o CPF com pontos e traço (123.456.789-09) ou o celular com +55 (+55 11 98765-4321).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A régua não foi salva: {problem}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrija a etapa indicada e salve de novo; a régua anterior continua valendo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data e hora inválidas em --at: “{value}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use ISO-8601, por exemplo 2026-12-08T10:00 (horário da loja) ou 2026-12-08T13:00:00Z.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Esta conversa já está com {operator}.</source>
        <extracomment>how often the composer renews its lock while the operator keeps typing</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peça a {operator} para transferi-la a você, ou escolha outra conversa na fila de não atribuídas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Esta conversa está com {operator}, não com você.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Para responder, peça a {operator} que a transfira a você.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{operator} está respondendo esta conversa agora.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aguarde a resposta de {operator} ou combine com a equipe antes de escrever.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chegaram {count} mensagem(ns) nesta conversa enquanto você escrevia.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leia as mensagens novas antes de enviar. Se a sua resposta ainda fizer sentido, envie de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A janela de 24 horas desta conversa está fechada.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fora da janela o WhatsApp só aceita modelos aprovados: escolha um modelo na lista abaixo da conversa.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagem não enviada: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nada foi colocado na fila. Veja o motivo acima e tente de novo quando ele não valer mais.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Esta conversa não existe mais.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atualize a caixa de entrada.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum número do WhatsApp está configurado neste computador.</source>
        <extracomment>Meta&apos;s status, or `NOT_SUBMITTED` for a pack template the account lacks Meta&apos;s status after it (PENDING for a new one; the stored one when it existed) why the debtor&apos;s values could not be used (&quot;&quot; when they were)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Defina WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_WABA_ID e WHATSAPP_ACCESS_TOKEN (os dados do número no Gerenciador do WhatsApp) e abra o programa de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A identificação da loja ainda não foi preenchida.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preencha nome fantasia e CNPJ em Configurações: todo modelo leva o nome e o CNPJ da loja.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O modelo {nome} não foi encontrado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clique em “Atualizar status” e tente de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ação desconhecida: {action}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use um dos botões do campo de resposta (PIX, link, ligação).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não há valor em aberto nesta conversa para enviar o PIX.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira na ficha do devedor se a dívida está registrada e em aberto.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A chave PIX da loja não está configurada.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cadastre a chave, o nome e a cidade do PIX em Configurações e envie de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O telefone da loja não está cadastrado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Informe o telefone (o número de WhatsApp da loja) na identificação da loja em Configurações.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O modelo {name} não existe mais.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atualize os modelos na tela Modelos e escolha outro.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não há operador ativo com o código {operator}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha um operador da lista, ou devolva a conversa para a fila.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este computador não tem um cofre de senhas do sistema para guardar o token e os segredos do WhatsApp.</source>
        <extracomment>the owner&apos;s explicit choice of store (not secret: only the kind) the encrypted secrets (kind &quot;file&quot;) scrypt&apos;s cost (2^15 × 8 × 128 bytes = 32 MB, ~0.1 s): kept in the file, so it can grow</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha uma das duas opções em Configurações › Assistente de configuração: variáveis de ambiente (WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET e WHATSAPP_VERIFY_TOKEN, nada é salvo) ou um arquivo criptografado protegido por uma senha. O programa nunca guarda segredos sem criptografia.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A senha do arquivo de segredos não confere.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Digite de novo (maiúsculas e minúsculas contam). Se a esqueceu, apague o arquivo {path} e salve o token e os segredos de novo com uma senha nova.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo de segredos deste computador está trancado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abra o programa e digite a senha do arquivo de segredos; para o `serve`, informe os segredos pelas variáveis de ambiente WHATSAPP_*.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo de segredos {path} está danificado ou não é deste programa.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apague o arquivo e salve o token e os segredos de novo (Configurações › Conexão).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A senha do arquivo de segredos precisa de pelo menos {minimum} caracteres.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha uma senha mais longa, por exemplo uma frase que só você conheça.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Neste computador os segredos do WhatsApp vêm das variáveis de ambiente: nada é salvo aqui.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Defina WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET e WHATSAPP_VERIFY_TOKEN antes de abrir o programa, ou escolha guardar os segredos num arquivo criptografado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não foi possível usar o cofre de segredos: {detail}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Destrave o cofre de senhas do sistema (ou libere espaço na pasta de dados) e tente de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{value}” não serve para “{setting}”: use só os números que a Meta mostra.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copie o número do Gerenciador do WhatsApp (API Setup); nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{value}” não serve para “{setting}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use um endereço http:// ou https:// sem usuário nem senha (por exemplo https://graph.facebook.com/v25.0), ou deixe em branco para o padrão; nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A conexão com o WhatsApp não tem o campo “{value}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Só o número, a conta e o endereço da API ficam no banco; o token e os segredos são salvos à parte. Nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Só o dono da loja pode {what}.</source>
        <extracomment>wrong passwords in a row before sign-in waits the first wait, doubled for every further failure, up to `LOCK_MAX_SECONDS` the longest operator name the program itself (command line, scheduler, webhooks): allowed everything, audited as nobody</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entre como dono (menu Operador › Trocar operador) ou peça ao dono.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Senha incorreta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira a senha (maiúsculas contam) e tente de novo. Depois de {limit} tentativas erradas seguidas, é preciso esperar um pouco.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Muitas senhas erradas seguidas para {name}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Espere {seconds} segundos e tente de novo, ou peça ao dono para trocar a senha.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A senha precisa ter pelo menos {minimum} caracteres.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha uma senha mais longa, por exemplo uma frase curta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Informe o nome do operador (até {limit} caracteres).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use o nome pelo qual a equipe o conhece.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador não encontrado ou desativado (código {operator_id}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha um operador ativo da lista ou peça ao dono para reativá-lo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} ainda não tem senha.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peça ao dono para definir uma senha em Configurações › Operadores.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A loja já tem um dono cadastrado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entre como dono; outros operadores são criados em Configurações › Operadores.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} é o único dono ativo da loja.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Torne outro operador dono antes de rebaixar ou desativar este.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escreva o motivo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O motivo fica no registro de auditoria, com quem fez e quando.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endereço do webhook inválido: “{value}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escreva o endereço completo, começando com https://, por exemplo https://cobranca.minhaloja.com.br/webhook.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>restaurar uma cópia de segurança</source>
        <extracomment>the owner-only action, and the audit action a restore leaves in the restored database</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Segredo desconhecido: “{value}”.</source>
        <extracomment>the audit action of a change to the stored secrets (names only, never values)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os segredos da conexão são o token de acesso, o segredo do aplicativo e o token de verificação. Nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ainda não há onde guardar o token e os segredos neste computador.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha entre variáveis de ambiente e um arquivo criptografado com senha (Configurações › Assistente de configuração) e salve de novo. Nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{value}” não é um preço para {category} a partir de {day}: use um valor como 0,0068 (até seis casas decimais).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrija o preço; nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O preço de {category} a partir de {day} não pode ser negativo ({value}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use 0 para mensagens gratuitas; nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Há dois preços para {category} ({window}) a partir de {day}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deixe um só preço por categoria, janela e data; nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A linha de {category} vigente a partir de {day} está depois de uma linha vigente a partir de {previous}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ordene a tabela pela data de vigência, da mais antiga à mais nova; nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A tabela de preços tem {count} linhas; o máximo é {maximum}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apague linhas antigas; nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{value}” não serve como cotação do dólar: use um valor como 5,40 (reais por dólar, de 0,0001 a 100, até quatro casas decimais).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrija a cotação; nada foi salvo.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ListExport</name>
    <message>
        <source>Planilha do Excel (*.xlsx)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV separado por ponto e vírgula (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exportar lista de devedores</source>
        <extracomment>rows written, rows expected (emitted from the worker thread: queued to the GUI thread) the export ended: the file written, or None (failed or cancelled) the last message shown (success or error), for tests and screen readers</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exportando a lista para {name}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exportar lista</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A lista não foi exportada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lista exportada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} devedor(es) gravado(s) em {path}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exportando: {done} de {total} devedores…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Cobrador Desktop — Demonstração</source>
        <extracomment>the Devedores page shows its first page of real data, or knows the list is empty (once) the page on screen changed (a `Page` value)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Versão {version}</source>
        <extracomment>who is signed in on this PC: every service call names them</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Caixa de entrada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devedores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Régua</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resultados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Configurações</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>gerar o dossiê de um devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Satisfação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saúde do número</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ Cópia de segurança falhou</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A última cópia de segurança automática falhou: {error} Veja Configurações › Cópias de segurança.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelos</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageBubbles</name>
    <message>
        <source>[imagem]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[áudio]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[vídeo]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[documento]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[figurinha]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[localização]</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageList</name>
    <message>
        <source>↓ Mensagens mais recentes</source>
        <extracomment>the list&apos;s model (set by `MessageList.setModel`) the user reached the top: load the messages before the first one the user asked for the newest messages again (the model had dropped them)</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageListModel</name>
    <message>
        <source>janeiro</source>
        <extracomment>`data(index, ROW_ROLE)` gives the `MessageRow` the date separator above the message (&quot;&quot; when it is on the same day as the one before) the most messages kept; older pages past it drop the newest rows</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fevereiro</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>março</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>abril</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>maio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>junho</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>julho</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>agosto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>setembro</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>outubro</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>novembro</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dezembro</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MonthlyReport</name>
    <message>
        <source>{month} de {year}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relatório de cobrança — {month}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mês em andamento: conta até {day}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Período: {days}. Gerado em {when}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum pagamento, nenhuma mensagem enviada e ninguém contatado neste mês: não há o que resumir.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{trade} — {legal}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} · CNPJ {document} · {address}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{first} a {last}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagas / enviadas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma mensagem enviada no mês.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Como se conta: “recuperado” soma os pagamentos registrados com data no período; uma mensagem “paga” é seguida de pagamento do devedor em até 7 dias; “respondida”, de resposta na conversa em até 7 dias. Os custos usam a tabela de preços da Meta em vigor no dia de cada mensagem (Resultados › Custos).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loja: identificação não cadastrada (Configurações › Loja).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{percent} ({part} de {whole})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>média {mean}, mediana {median} ({n} devedor(es))</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resumo do mês</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recuperado no mês</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do valor vencido no início do mês, recuperado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Da primeira mensagem ao pagamento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devedores contatados que responderam</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contatos com identidade confirmada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lembrados que pagaram em até 7 dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gasto com WhatsApp no mês</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recuperado por semana</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum pagamento registrado no mês.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total do mês</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recuperado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Semana</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Funil das mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Etapa do funil</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Das enviadas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custo das mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gasto no mês</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{amount} ({n} mensagem(ns) cobrada(s))</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custo para cada R$ 100,00 recuperados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Categoria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma mensagem cobrada no mês.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pesquisa de satisfação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma pesquisa enviada ou respondida no mês.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A pesquisa após o pagamento está desligada e nada foi respondido no mês.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pesquisas enviadas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Respondidas em até 7 dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Respostas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ótimo {otimo} · Regular {regular} · Ruim {ruim}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Índice de satisfação (Ótimo 100, Regular 50, Ruim 0)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saúde do número</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pedidos para parar as mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marcados como pessoa errada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{title}: {share} — {state}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nenhum número contatado</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MonthlyReportButton</name>
    <message>
        <source>Relatório do mês (PDF)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gravar um PDF com os resultados e custos de um mês, para imprimir ou guardar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gerando relatório…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relatório de {month} gravado em {path}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relatório do mês</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mês do relatório:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>relatorio-cobranca-{month}.pdf</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gravar o relatório de {month}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Documento PDF (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NotesPanel</name>
    <message>
        <source>Escreva uma nota (Ctrl+Enter salva)</source>
        <extracomment>the operator asked to save this note (not yet saved)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adicionar nota</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importada</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NumberHealth</name>
    <message>
        <source>Não enviada, sem código da Meta (regras de envio ou falta de conexão).</source>
        <extracomment>statuses Meta will not send a template in and the owner should act on (highlighted) the order templates are listed in: problems, then waiting, then fine the reason of failures without a code from Meta</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O motivo de cada uma aparece na conversa, no Atendimento.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OperatorDialog</name>
    <message>
        <source>Como a equipe conhece a pessoa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Papel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Senha atual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pelo menos {n} caracteres</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nova senha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Senha inicial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repita a senha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As duas senhas não são iguais. Digite a mesma senha nos dois campos.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OperatorScreens</name>
    <message>
        <source>mudar as configurações da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mudar a régua</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>enviar modelos para aprovação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>exportar a lista de devedores</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OperatorsSection</name>
    <message>
        <source>Operadores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cada pessoa entra com o próprio nome e senha, e o registro de auditoria guarda quem fez o quê. Só o dono muda configurações, régua e modelos, exporta dados e cuida dos operadores.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Papel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Situação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Senha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adicionar operador…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redefinir senha…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Desativar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tornar dono</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trocar minha senha…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cadastrar operadores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>redefinir a senha de outra pessoa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>desativar ou reativar operadores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mudar o papel de um operador</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} (você)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ativo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Desativado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Definida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sem senha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reativar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tornar operador</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adicionar operador</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A pessoa entra com o nome e esta senha, e pode trocá-la depois em Configurações › Operadores.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adicionar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redefinir senha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nova senha para {name}. A senha antiga deixa de valer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redefinir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trocar minha senha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Digite a senha atual e a nova.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trocar</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OperatorsViewModel</name>
    <message>
        <source>{name} foi cadastrado e já pode entrar com a senha definida.</source>
        <extracomment>the accounts (a tuple of OperatorInfo) a change was made: the confirmation, in pt-BR the service refused or failed: what happened and what to do, in pt-BR</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Senha de {name} redefinida. Passe a nova senha a essa pessoa.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} foi reativado e pode entrar de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} foi desativado e não consegue mais entrar.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} agora é dono da loja.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} agora é operador.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sua senha foi trocada. Use a nova senha da próxima vez.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OwnerPage</name>
    <message>
        <source>Conta do dono</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O dono é quem muda as configurações, a régua e a chave PIX, e cadastra os operadores. Sem esta conta nada do assistente é salvo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seu nome, como os operadores verão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pelo menos {n} caracteres</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Senha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repita a senha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A conta do dono já existe. Os operadores são cadastrados em Configurações › Operadores.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conta criada. Você entra com ela a partir de agora.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <source>Registrar pagamento — {name}</source>
        <extracomment>the operator confirmed a payment that passed the checks (`PaymentRequest`)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcelas em aberto, da mais antiga ({amount})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} · vence {due} · saldo {balance}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opcional: recibo, quem trouxe, banco…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dívida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Valor (R$)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Da&amp;ta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Forma</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Observação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registrar pagamento</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PaymentsTable</name>
    <message>
        <source>Data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forma</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dívida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registrado por</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Observação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>não identificado</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PhonesPanel</name>
    <message>
        <source>Por que {phone} não é mais engano para {name}?

O número volta a receber mensagens deste devedor, depois de confirmar de novo quem é. O motivo fica no registro de auditoria, com o seu nome.</source>
        <extracomment>badge colours (text, background) per tone</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não é mais engano</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voltar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum telefone cadastrado.</source>
        <extracomment>&quot;Não é mais engano…&quot; on a number flagged &quot;não sou eu&quot; (its `PhoneState`)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O número volta a poder receber mensagens deste devedor, depois de confirmar de novo quem é. O motivo fica no registro de auditoria.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>desfazer um “não sou eu”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não é mais engano…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PixPage</name>
    <message>
        <source>Chave PIX</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os devedores pagam por PIX: cada mensagem leva um código copia-e-cola com o valor certo para esta chave.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PixSection</name>
    <message>
        <source>Chave PIX</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CNPJ, CPF, e-mail, telefone ou chave aleatória</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Como o banco mostra a conta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cidade da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIX copia-e-cola de R$ 1,00</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copiar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chave</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome no PIX</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Teste de R$ 1,00</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Para conferir a chave, pague R$ 1,00 com este PIX copia-e-cola no app do banco: o nome que o banco mostrar deve ser o da loja.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Com a chave salva, aparece aqui um PIX copia-e-cola de R$ 1,00 para conferir.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PlannedMessagesModel</name>
    <message>
        <source>Vai sair</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adiada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bloqueada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pulada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telefone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Etapa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decisão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Motivo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Horário</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quando a fila de envio vai tentar a mensagem (horário da loja); a regra de envio confere tudo de novo nessa hora</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sem telefone</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PriceTableDialog</name>
    <message>
        <source>Tabela de preços do WhatsApp</source>
        <extracomment>column widths wide enough for the longest choice (&quot;dentro ou fora da janela&quot;)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preço que a Meta cobra por mensagem entregue no Brasil, por categoria, a partir de cada data. Vale para cada mensagem a linha mais recente até o dia em que ela saiu. Preços em dólar viram reais pela cotação abaixo. Use vírgula: 0,0068.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vigente a partir de</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Categoria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Janela de 24 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Moeda</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preço por mensagem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fonte</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adicionar linha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remover linha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voltar aos preços de fábrica</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Põe na tabela os preços que vêm com o programa (só valem depois de Salvar).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cotação do dólar (R$ por US$ 1):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Salvar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mudar a tabela de preços do WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Meta (oficial): a página de preços da Meta; estimativa: tabelas de revendedores (≈); anunciado: aviso da Meta ainda fora da página oficial; dono: digitado aqui.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Meta (oficial)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>estimativa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>anunciado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dono</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Pricing</name>
    <message>
        <source>marketing</source>
        <extracomment>micros in one currency unit (US$ 1 or R$ 1) micros in one centavo the exchange rate&apos;s scale: `usd_brl_e4` 54 000 is R$ 5,4000 per US$ 1 the exchange rate the owner may set: R$ 0,0001 to R$ 100,0000 per dollar a price the table accepts: up to R$/US$ 1 000 per message (a typo guard) how sure a price is: Meta&apos;s official page, a vendor table (&quot;≈&quot;), a Meta notice not on the official page, or typed by the owner</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>utilidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>autenticação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>serviço</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dentro ou fora da janela</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dentro da janela de 24 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fora da janela de 24 h</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PromiseDialog</name>
    <message>
        <source>Registrar promessa — {name}</source>
        <extracomment>the operator confirmed a promise that passed the checks (`PromiseRequest`)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Todas as dívidas em aberto ({amount})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} · vence {due} · saldo {balance}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>De hoje até {latest} ({days} dias). Para prazos maiores, proponha um acordo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opcional: o que o devedor disse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dívida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Valor prometido (R$)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pagará até</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Canal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Observação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registrar promessa</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PromisesTable</name>
    <message>
        <source>Pagará até</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dívida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Canal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Situação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Observação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registrada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Todas em aberto</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReguaPreview</name>
    <message>
        <source>Dia da prévia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Horário da prévia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Calcular</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dia:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>às</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prévia do que a régua faria nesse dia, com as regras de envio de hoje. Nada é enviado nem registrado daqui.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Motivo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens da prévia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma mensagem em {quando}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 mensagem em {quando}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} mensagens em {quando}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calculando…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReguaStepForm</name>
    <message>
        <source>Dia da etapa</source>
        <extracomment>the step as the form now says (a `domain.regua.Step`)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dias a partir do vencimento: D-3 é três dias antes, D0 é o dia do vencimento, D+7 é uma semana depois</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O modelo de mensagem aprovado pela Meta que esta etapa envia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repetir a cada quantos dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repetir até o dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Se o computador estiver desligado no dia, a etapa ainda sai até tantos dias depois; passado isso, é pulada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Finalidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>até</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Grupo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repetir a &amp;cada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Etapa at&amp;iva</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tolerância</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReguaStepsModel</name>
    <message>
        <source>Dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finalidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grupo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tolerância</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ativa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Envios: {dias}</source>
        <extracomment>a step was added, removed, moved or changed (or the whole list replaced)</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReguaText</name>
    <message>
        <source>Lembrete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em atraso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcela de acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Todos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vão sair</source>
        <extracomment>the groups a step may be for, in the order the choice lists them the preview&apos;s decisions (`Plan.counts_by_decision` keys, plus the skipped), in screen order</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adiadas para o próximo horário</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bloqueadas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Puladas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a cada {dias} dias até {ate}</source>
        <extracomment>`translate(&quot;ReguaText&quot;, &quot;…&quot;)` calls are what lupdate reads (a literal context)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{dias} dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{primeiro}…{ultimo} a cada {dias}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcelas: {etapas}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcelas: nenhum lembrete automático</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acordos: {etapas}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReguaView</name>
    <message>
        <source>Régua de cobrança</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quando cada lembrete sai, antes e depois do vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Etapas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O que sai amanhã</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Etapas da régua</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Adicionar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nova etapa depois da selecionada (Insert)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remover</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove a etapa selecionada (Delete)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Subir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+↑</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>D&amp;escer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+↓</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restaurar &amp;padrão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Põe a régua padrão no editor: D-3, D0, D+1, D+7 e a cada 15 dias até D+90, e as parcelas de acordo em D-2 e D+1. Só vale depois de salvar.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Etapa selecionada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Descartar a&amp;lterações</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sal&amp;var</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+S</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Dia&lt;/b&gt;: D-3 é três dias antes do vencimento, D0 é o próprio dia, D+7 é uma semana depois. &lt;b&gt;Grupo&lt;/b&gt;: a etapa vale para todos os devedores, só para um perfil de pagamento (o mesmo da lista de devedores) ou só para as parcelas de acordos. &lt;b&gt;Tolerância&lt;/b&gt;: se o computador estiver desligado no dia, a etapa ainda sai até tantos dias depois; passado isso, é pulada. Cada devedor recebe no máximo uma mensagem por dia, e só em horário permitido.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Etapa {numero} ({dia})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● Alterações não salvas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Régua de cobrança *</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Régua salva. Vale a partir da próxima rodada de lembretes.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RemindersView</name>
    <message>
        <source>Régua de cobrança</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lembretes automáticos antes e depois do vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum lembrete automático configurado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A régua vai mandar lembretes antes do vencimento, no dia e depois dele, sempre em horário permitido, sem repetir mensagem no mesmo dia e só para quem pode recebê-las. Ela chega numa próxima versão: por enquanto o Cobrador Desktop não envia nenhuma mensagem sozinho.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Próxima versão</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RequestDialog</name>
    <message>
        <source>Registrando…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RestoreBackupDialog</name>
    <message>
        <source>Banco de dados danificado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo danificado não foi alterado. Você pode restaurar a cópia de segurança mais recente ({name}, {when}): ela entra no lugar do arquivo danificado, que fica guardado ao lado com outro nome. O que foi feito depois dessa cópia se perde.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restaurar a cópia de segurança</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sair sem alterar nada</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Results</name>
    <message>
        <source>Este mês</source>
        <extracomment>how the period selector names the presets</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mês passado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Últimos 30 dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Últimos 90 dias</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResultsText</name>
    <message>
        <source>Por etapa da régua</source>
        <extracomment>the breakdown table&apos;s dimensions (`Breakdowns` attribute, the choice&apos;s label, the key column&apos;s header), in the choice&apos;s order</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Etapa da régua</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Por modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Por operador</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Por segmento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Segmento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enviadas</source>
        <extracomment>the funnel&apos;s stages (`Funnel` attribute, label), widest first</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entregues</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lidas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Respondidas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Normal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atenção</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sem etapa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Texto livre</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automático</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sem segmento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} de {total}</source>
        <extracomment>`translate(&quot;ResultsText&quot;, &quot;…&quot;)` calls are what lupdate reads (a literal context)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{dias} dias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{de} a {ate} ({dias} dias)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} dia(s) antes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} dia(s) depois</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>identidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lembrete no dia do vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagem {n} dia(s) antes do vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagem {n} dia(s) depois do vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n}ª tentativa de confirmar a identidade do devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens que a régua não enviou: escritas por um operador ou de outros avisos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador n.º {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verde até {amarelo}, amarelo até {vermelho}, vermelho acima de {vermelho}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dos números que receberam mensagem no período, quantos pediram para não receber mais (“parar mensagens”) no período. Muitos pedidos levam a Meta a baixar a qualidade do número e limitar os envios. </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dos números que receberam mensagem no período, quantos alguém marcou como “não sou eu” (pessoa errada) no período. Cobrar quem não deve expõe a loja a reclamações: revise os telefones da planilha. </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Taxa de
resposta</source>
        <extracomment>the rates after the stages: (header, tooltip, `BreakdownRow` property)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Respondidas em até 7 dias, sobre as enviadas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Taxa de
pagamento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagas (um pagamento do devedor em até 7 dias), sobre as enviadas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O que funciona melhor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dividir o funil</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Funil por dimensão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma mensagem saiu neste período.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dividir:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resultados {dimensao}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O período termina ({ate}) antes de começar ({de}): escolha um “Até” igual ou depois do “De”.</source>
        <extracomment>the period changed (`Period`): every part of the screen shows this one now</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O período não pode terminar depois de hoje ({hoje}): os resultados só contam o que já aconteceu. Escolha um “Até” até hoje.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recuperado por semana</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum pagamento registrado neste período.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagamentos registrados, por semana (segunda-feira de cada semana)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recuperado</source>
        <extracomment>each tile&apos;s (title, what it counts), in plain Portuguese</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Semana de {semana}: {valor}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Funil das mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} · {pct}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens que saíram no período e até onde cada uma chegou (respondida ou paga em até 7 dias)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A soma dos pagamentos registrados com data dentro do período.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do valor vencido</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quanto foi pago no período das dívidas que já estavam vencidas no primeiro dia dele, sobre o que essas dívidas ainda deviam naquele dia (dívidas canceladas não contam).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dias até pagar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Para cada devedor que pagou no período: os dias entre a primeira mensagem que ele recebeu e o seu primeiro pagamento no período. Mostra a média e a mediana (metade pagou em menos dias que ela).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Taxa de resposta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dos devedores que receberam mensagem no período, quantos escreveram de volta no período, depois da primeira delas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identidade confirmada (CPC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dos contatos (devedor e telefone) que receberam mensagem no período, em quantos a pessoa certa confirmou ser o devedor (“sou eu”).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagamento após lembrete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dos devedores que receberam um lembrete da régua no período, quantos pagaram no dia do lembrete ou em até 7 dias depois.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>média de {valor} por semana ({n} semanas)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nenhum pagamento no período</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{pago} de {devido} vencidos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nada vencido no início do período</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>média · mediana {mediana} · {n} devedor(es)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nenhum devedor contatado pagou no período</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>devedores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>contatos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>devedores lembrados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ninguém recebeu mensagem no período</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{of} números</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nenhum número recebeu mensagem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pedidos para parar (opt-out)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pessoa errada (“não sou eu”)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResultsView</name>
    <message>
        <source>Resultados</source>
        <extracomment>the period changed (`Period`): every tab shows this one now</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quanto foi recuperado e o que funciona melhor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ainda não há resultados para mostrar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aqui você vai acompanhar quanto foi recuperado, quantos devedores responderam e pagaram, em quanto tempo, e quais mensagens funcionam melhor. Os números vêm das suas cobranças de verdade, a partir de uma próxima versão.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Próxima versão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visão geral</source>
        <extracomment>room on the header&apos;s right for actions over the whole screen (&quot;Relatório do mês&quot;)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Período</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Personalizado…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Início do período</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fim do período</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;De</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Até</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;plicar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mostrar os resultados destas datas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calculando…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>P&amp;eríodo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saúde do envio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nada aconteceu neste período</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma mensagem saiu e nenhum pagamento foi registrado no período escolhido, então ainda não há números para mostrar. Escolha um período maior, ou volte depois que a régua enviar os primeiros lembretes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não foi possível calcular os resultados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tentar de novo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calculando os resultados de {periodo}…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>desfazer um “não sou eu”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>exportar todos os dados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>exportar a lista de devedores</source>
        <extracomment>the XLSX columns&apos; widths (characters)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>confirmar um envio que pede a confirmação do dono</source>
        <extracomment>the owner confirmed a CONFIRM-level send (or a free text&apos;s lint block) with a note</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>exportar os dados de uma pessoa (LGPD)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>anonimizar um devedor (LGPD)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cadastrar operadores</source>
        <extracomment>the audit viewer&apos;s page, and the export&apos;s read size &quot;who&quot; for entries of the system (command line, scheduler, webhooks)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>trocar a senha de outro operador</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ativar ou desativar operadores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mudar o papel de operadores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ver o registro de auditoria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>exportar o registro de auditoria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mudar a régua</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mudar a identificação da loja</source>
        <extracomment>the amount of the copia-e-cola shown to check a receiver (R$ 1,00)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mudar a chave PIX da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mudar os horários e limites de contato</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mudar a capacidade da equipe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mudar quando um acordo é rompido</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>enviar modelos de mensagem para aprovação</source>
        <extracomment>the pack&apos;s purposes by template name (a synced pack template gets its purpose) a new client for one piece of work (`async with`), or None when no number is configured</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mudar a conexão com o WhatsApp</source>
        <extracomment>the secrets the store holds (their names; a value is never shown again) the store&apos;s kind, None when this PC has none yet (no keyring and no choice)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>marcar a lista de segurança do número</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mudar a tabela de preços do WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>gerar o dossiê de um devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ligar ou desligar a pesquisa de satisfação</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SecretStoreChoiceDialog</name>
    <message>
        <source>Onde guardar os segredos do WhatsApp</source>
        <extracomment>the minimum the dialog asks for (app.secrets.MIN_PASSPHRASE; the store checks it again) what `choose` returned (the store), once accepted &quot;env&quot; or &quot;file&quot;, once accepted</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este computador não tem um cofre de senhas do sistema para guardar o token de acesso, o segredo do aplicativo e o token de verificação. Escolha uma opção — o programa nunca guarda segredos sem criptografia.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guardar num arquivo criptografado, protegido por uma senha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A senha é pedida cada vez que o programa abre. Sem ela, os segredos não podem ser lidos — nem por quem copiar o arquivo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Senha (pelo menos {n} caracteres)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repita a senha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Senha:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirmação:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usar variáveis de ambiente (nada é salvo)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Defina WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET e WHATSAPP_VERIFY_TOKEN antes de abrir o programa (ou do serviço `serve`).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usar esta opção</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As duas senhas não são iguais. Digite de novo.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SendGuard</name>
    <message>
        <source>A mensagem não passou pela verificação de envio; nada foi enviado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrija o motivo indicado ou escolha outra mensagem; nada foi enviado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este número é de um contato de referência (terceiro). A cobrança só pode ser feita ao próprio devedor.</source>
        <extracomment>pt-BR text of each code, `{params}` filled at display (COMPLIANCE.md §2.8, in its order)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este número foi marcado como &quot;não é o devedor&quot; em {data}. Não envie mensagens para ele.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O titular deste número pediu para não receber mensagens em {data}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Número na lista de não contatar ({origem}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não há registro de autorização (opt-in) para mensagens da loja neste número. Registre a origem da autorização.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este número também está cadastrado para outra pessoa. Confirme a identidade antes de falar da dívida.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identidade ainda não confirmada neste número. Envie só a mensagem de confirmação, sem detalhes da dívida.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Esta dívida foi quitada em {data}. Cobrança bloqueada.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Esta dívida foi cancelada em {data}. Cobrança bloqueada.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O devedor contestou esta dívida em {data}. Resolva a contestação antes de cobrar.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O devedor informou pagamento em {data}. Confira o extrato antes de cobrar de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dívida em acordo desde {data}: só são enviados os lembretes das parcelas do acordo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Há promessa de pagamento para {data}. Lembretes automáticos suspensos até lá.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dívida vencida há mais de {anos} anos (possível prescrição). Só o proprietário pode autorizar a cobrança.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Falta a identificação da loja (nome e CNPJ) na mensagem.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O valor inclui multa, juros ou taxas sem discriminar cada item.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O valor digitado ({valor}) é diferente do saldo em aberto ({saldo}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A mensagem contém ameaça (&quot;{trecho}&quot;). Reescreva sem ameaças (CDC, arts. 42 e 71).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A mensagem sugere expor a dívida a outras pessoas (&quot;{trecho}&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A mensagem contém ofensa (&quot;{trecho}&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Afirmação jurídica falsa ou enganosa (&quot;{trecho}&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Menção a negativação, protesto ou ação judicial: use o modelo aprovado pelo proprietário, com informação verdadeira.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Texto em caixa alta ou com excesso de exclamações. Prefira um tom neutro.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fora do horário permitido para cobrança ({janela}, horário local do devedor). Próximo horário: {proximo}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não enviamos cobranças {dia}. Próximo horário: {proximo}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hoje é feriado em {local} ({feriado}). Próximo horário: {proximo}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este devedor já recebeu {n} mensagem(ns) de cobrança hoje (limite: {limite}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limite de {limite} mensagens em 7 dias atingido para este devedor.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A última mensagem foi há menos de {horas} horas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagem idêntica já enviada para este número nas últimas 24 horas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Esta etapa da régua já foi enviada para esta parcela em {data}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O devedor respondeu e aguarda um atendente. Lembretes automáticos pausados.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A janela de 24 horas está fechada. Use um modelo aprovado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O modelo {nome} está {status} na Meta e não pode ser usado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Meta classificou o modelo {nome} como marketing: custo maior e entrega limitada.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A qualidade do número ou do modelo caiu ({nivel}). Envios em massa pausados.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não foi possível verificar esta mensagem: faltam dados ({fatos}). Nada foi enviado; tente de novo e, se continuar, avise o suporte.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>data não registrada</source>
        <extracomment>shown for a date the records do not have (old rows flagged before dates were kept)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>origem não informada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>aos sábados</source>
        <extracomment>`{dia}` of HOURS_DAY_NOT_ALLOWED, by ISO weekday</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>aos domingos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>das {inicio} às {fim}</source>
        <extracomment>`{janela}` of HOURS_OUTSIDE_WINDOW: start and end, local time</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>todo o Brasil</source>
        <extracomment>`{local}` of HOURS_HOLIDAY for a national or optional day</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>em análise</source>
        <extracomment>`{status}` of WA_TEMPLATE_UNAVAILABLE, by Meta&apos;s template status</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rejeitado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pausado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>desativado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>em recurso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>em exclusão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>excluído</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>acima do limite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>amarela</source>
        <extracomment>`{nivel}` of WA_QUALITY_LOW, by Meta&apos;s quality rating</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>vermelha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>situação da dívida</source>
        <extracomment>`{fatos}` of FACTS_MISSING: what the calling service did not gather</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mensagens enviadas recentemente</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>identificação da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>situação do modelo na Meta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>qualidade do número na Meta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A etapa {etapa} era para {data} e a tolerância passou (o programa estava fechado): ela não será enviada.</source>
        <extracomment>purposes a régua step may have (COMPLIANCE.md §2.1); identity checks are chosen by the scheduler, never configured as a step how far before or after the due date a step may sit, in days the most occurrences one repeating step may have (keeps a typo from planning thousands) skip reasons the scheduler records (not send-guard codes: nothing was evaluated) …and the scheduler&apos;s other skips: no own number; identity never confirmed after every attempt; the next identity attempt not due yet (not logged); the team&apos;s daily capacity of new conversations used up (not logged: tried again tomorrow) the debtor&apos;s previous régua message still waits in the outbox (not logged: tried next day) the pt-BR text of each skip (Qt context &quot;SendGuard&quot;, like the guard&apos;s reasons)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A etapa {etapa} deu lugar a uma etapa mais recente da mesma parcela.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O devedor não tem telefone próprio cadastrado. Cadastre um número para a régua alcançá-lo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A identidade não foi confirmada depois de {n} tentativa(s): o devedor fica “sem contato” para um atendente, e nenhum detalhe da dívida é enviado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A última confirmação de identidade foi em {data}; a próxima tentativa sai a partir de {proximo}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A mensagem anterior da régua para este devedor ainda espera na fila (horário ou limite): esta etapa fica para depois.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A equipe já tem {limite} conversas novas para hoje (capacidade diária): esta mensagem fica para amanhã.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SendLaterDialog</name>
    <message>
        <source>Enviar depois</source>
        <extracomment>the earliest a scheduled reply may go, from now the instant chosen (`datetime`, UTC)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A mensagem espera na fila e sai nesse horário, se a janela de 24 horas e as regras de envio permitirem.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agendar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quando enviar:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SessionControls</name>
    <message>
        <source>&amp;Operador</source>
        <extracomment>nobody signed in and the sign-in was closed: the program should close</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Trocar operador…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Sair (encerrar sessão)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fechar o programa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelar</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Romper acordo após quantos dias de atraso</source>
        <extracomment>the `settings` row it lives in what a settings screen calls it (pt-BR, for Qt&apos;s translation: context &quot;Settings&quot;) what it changes, for whoever reads the code</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minutos para responder fora do horário</source>
        <extracomment>the contact profile&apos;s whole-number fields: (name, caption, minimum, maximum)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens de cobrança por dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens de cobrança por semana</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Intervalo mínimo entre mensagens (horas)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Anos até a dívida ser considerada antiga</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tentativas de confirmar a identidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dias entre tentativas de confirmar a identidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dias de tolerância após a data prometida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cobrar aos sábados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Respeitar pontos facultativos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Horário de segunda a sexta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Horário de sábado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perfil de horários</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome fantasia da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Razão social da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endereço da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>UF da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telefone da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Feriados da loja e do município</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atendentes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversas novas por atendente por dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Qualidade do número na Meta</source>
        <extracomment>the (minimum, maximum) of each `Capacity` field</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limite de conversas do número na Meta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Horários e limites de contato</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identificação da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Capacidade de atendimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pesquisa de satisfação depois do pagamento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcelamento oferecido no botão Negociar</source>
        <extracomment>every setting of the send guard, read together by `read_guard_settings`</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Número de parcelas oferecido</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor mínimo da parcela (centavos)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identificação do número (Phone number ID)</source>
        <extracomment>Meta&apos;s Graph API with the version WHATSAPP_CLOUD_API.md recommends (also `app.config`&apos;s default) the connection&apos;s secrets, kept by `app.secrets` (never in the database) the environment variable that overrides each secret (INTERFACES.md §2) the environment variable that overrides each saved field</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conta do WhatsApp Business (WABA ID)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endereço da API do WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conexão com o WhatsApp</source>
        <extracomment>None means Meta&apos;s Graph API (`DEFAULT_API_BASE_URL`)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tabela de preços do WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Categoria da mensagem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Janela de atendimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Moeda do preço</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vigente a partir de</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsSection</name>
    <message>
        <source>Salvar</source>
        <extracomment>the caption column&apos;s width, shared by every section so their fields line up the owner pressed Salvar</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsView</name>
    <message>
        <source>Configurações</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A loja, as regras de cobrança e esta instalação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Esta instalação e seus dados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demonstração — dados de exemplo, separados dos dados reais</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Normal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abrir pasta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Português (Brasil)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Versão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perfil</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pasta de dados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Banco de dados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp Business</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Idioma</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conectar o número do WhatsApp Business chega numa próxima versão.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estas informações são só para consulta. Conectar o número do WhatsApp Business e ajustar os horários de envio chegam numa próxima versão.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum número conectado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Emulador local (demonstração): nada sai para o WhatsApp de verdade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conectado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Número configurado, mas sem conexão com a API agora</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum operador identificado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Salvo. Vale a partir das próximas mensagens.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Setup</name>
    <message>
        <source>Chaveiro do sistema (no Windows, o Gerenciador de Credenciais)</source>
        <extracomment>how the wizard names each kind of secret store (source text, context &quot;Setup&quot;)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arquivo criptografado com senha, na pasta de dados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Variáveis de ambiente (WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O perfil do WhatsApp Business está completo</source>
        <extracomment>the WhatsApp Business profile shows the shop&apos;s name, address, hours and e-mail two-step verification (a PIN) is on for the number the number is used only for collections (not the shop&apos;s sales number) the imported debtors&apos; opt-in evidence (where each authorised WhatsApp messages) is kept the checklist&apos;s items in screen order: (field name, caption, why it matters)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome da loja, endereço, horário e e-mail no perfil: quem recebe a cobrança reconhece a loja e denuncia menos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A confirmação em duas etapas está ligada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Um PIN de 6 dígitos no Gerenciador do WhatsApp impede que alguém registre o número em outro lugar.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O número é usado só para cobranças</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Se a qualidade do número cair por causa das cobranças, as vendas da loja não param junto.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenho o registro de autorização (opt-in) dos devedores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Meta exige a autorização de cada pessoa para mensagens da loja; guarde onde e quando cada uma autorizou (ficha, contrato, site).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Segurança do número</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verde (boa)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Amarela (atenção: muitos bloqueios ou denúncias)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vermelha (os envios em massa ficam parados)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ainda sem avaliação (número novo)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>até 50 clientes por dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>até 250 clientes por dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>até 1.000 clientes por dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>até 2.000 clientes por dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>até 10.000 clientes por dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>até 100.000 clientes por dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sem limite diário</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ainda não definido pela Meta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preencha “{field}”.</source>
        <extracomment>GREEN / YELLOW / RED, or None/UNKNOWN/NA for a number not rated yet TIER_250 … TIER_UNLIMITED, or None</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copie o valor da página “Configuração da API” do aplicativo na Meta (developers.facebook.com › seu aplicativo › WhatsApp).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Meta não encontrou o número com o identificador {phone_number_id}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copie o “Identificação do número de telefone” (phone number id, só algarismos) da página Configuração da API — não é o número de telefone. Explicação da Meta: {details}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O webhook respondeu certo à verificação da Meta.</source>
        <extracomment>what the owner reads after &quot;Testar webhook&quot; (source text, context &quot;Setup&quot;)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agora cole o endereço e o token de verificação no painel do aplicativo na Meta (WhatsApp › Configuração › Webhook) e assine o campo “messages”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O programa que recebe os webhooks recusou o token de verificação (HTTP {status}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O `serve` ou a janela que recebe usa outro token: salve este token nele (ou em WHATSAPP_VERIFY_TOKEN) e reinicie-o.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O endereço respondeu, mas não devolveu o desafio da Meta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outro programa responde neste endereço. Confira se o túnel aponta para a porta do Cobrador (8080) e se o caminho termina em /webhook.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O endereço respondeu com erro HTTP {status}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>404: o caminho deve terminar em /webhook. 502 ou 503: o túnel está no ar, mas o Cobrador não está rodando neste computador.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não foi possível conectar ao endereço do webhook.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confira o endereço, se o túnel (ou o servidor) está ligado e se o Cobrador está aberto ou o `serve` rodando.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O endereço do webhook não respondeu a tempo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Meta também desiste. Confira o túnel e a internet deste computador e tente de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O certificado HTTPS do endereço não é aceito.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Meta só chama endereços com certificado válido: use um túnel (Cloudflare Tunnel) ou um certificado Let&apos;s Encrypt.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identificação do número de telefone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identificação da conta do WhatsApp Business</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token de acesso</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <source>Assistente de configuração</source>
        <extracomment>the owner account was created here (its `Actor`): the app signs it in</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voltar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fazer depois</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Concluir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Começar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Salvar e continuar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continuar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Boas-vindas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conta do dono</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identificação da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chave PIX</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conectar o número</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Segurança do número</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Primeira planilha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pronto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>para depois —</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A demonstração está abrindo em outra janela, com dados de exemplo numa pasta separada. Quando quiser configurar a sua loja, volte aqui.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Sharing</name>
    <message>
        <source>Outro computador ({name}) está enviando</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sem conexão com o banco de dados — tentando de novo</source>
        <extracomment>the database cannot be reached; the program keeps trying by itself</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ShopPage</name>
    <message>
        <source>Identificação da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome, CNPJ e endereço aparecem em toda mensagem de cobrança: a lei (CDC art. 42-A) exige que quem cobra se identifique, e sem eles a régua não envia nada.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ShopSection</name>
    <message>
        <source>Identificação da loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Como os clientes conhecem a loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Como está no CNPJ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>00.000.000/0000-00</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rua, número, bairro, cidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>—</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As mensagens de cobrança levam o nome, o CNPJ e o endereço da loja (CDC art. 42-A). Sem eles, a régua não envia nada.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome fantasia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Razão social</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CNPJ ou CPF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endereço</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>UF</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Entrar — Cobrador Desktop</source>
        <extracomment>the operator signed in (an `Actor`) the operators are in the list (or the list failed: then a message shows) a sign-in was refused: the pt-BR text shown</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quem está usando este computador?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sua senha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demonstração: Rita é a dona da loja; os outros são operadores. A senha de todos é demo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Senha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entrar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum operador com senha cadastrada. O dono da loja cadastra os operadores em Configurações › Operadores.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SignedIn</name>
    <message>
        <source>dono</source>
        <extracomment>the role&apos;s value for the shop&apos;s owner (`domain.roles.Role.OWNER`)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>operador</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>WhatsApp: nenhum número conectado</source>
        <extracomment>several PCs (issue 8): the database connection lost, or another PC sending</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum número do WhatsApp Business foi configurado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp: emulador local</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens vão para o emulador local, não para o WhatsApp de verdade.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp: conectado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A API do WhatsApp Business está respondendo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp: sem conexão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A API do WhatsApp não responde. As mensagens esperam na fila e saem quando a conexão voltar.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fila de envio: {count}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens esperando para sair</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demonstração</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dados de exemplo, numa pasta separada dos dados reais</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SurveyPanel</name>
    <message>
        <source>Respostas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Toques nos botões da pesquisa recebidos no período. Se a pessoa tocou mais de uma vez sobre a mesma dívida, vale o último toque.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Taxa de resposta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Das pesquisas enviadas no período, quantas a pessoa respondeu em até {dias} dias.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Índice de satisfação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>De 0 a 100: Ótimo vale 100, Regular 50 e Ruim 0; o índice é a média das respostas do período.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Respostas por semana</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma pesquisa enviada ou respondida neste período.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ótimo {otimo} · Regular {regular} · Ruim {ruim}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} de {total} pesquisas enviadas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>de 100 (sem respostas: —)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>de 100</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Respostas por mês</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As respostas recebidas em cada semana, pelo primeiro dia dela no período.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As respostas recebidas em cada mês do período.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma resposta neste período ({n} pesquisas enviadas).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ótimo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Regular</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ruim</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A pesquisa de satisfação está ligada: um minuto depois do recibo de pagamento, o cliente recebe a pergunta com os botões Ótimo, Regular e Ruim (só quando a janela de 24 horas dele está aberta).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Desligar a pesquisa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A pesquisa de satisfação está desligada: depois de um pagamento o cliente recebe só o recibo. Ligue-a aqui (só o dono da loja pode); os números abaixo contam as respostas que já chegaram.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ligar a pesquisa</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TableExportButton</name>
    <message>
        <source>Exportar…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gravar esta tabela numa planilha (CSV ou Excel)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (separado por ponto e vírgula)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Planilha do Excel (XLSX)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} linha(s) de “{name}” gravada(s) em {path}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV separado por ponto e vírgula (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Planilha do Excel (*.xlsx)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exportar “{name}”</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TemplatePack</name>
    <message>
        <source>Confirmação de identidade</source>
        <extracomment>the thank-you after a payment (`domain.templates.values_for`&apos;s `payment_receipt`) Meta refuses &quot;too many variables for the length&quot; (2388293) without saying the ratio: the pack keeps at least this many words of fixed text per variable what the templates are for, as the screen names them (`purpose` column)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lembrete de vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcela em atraso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcela de acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pagamento recebido</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome e inicial do sobrenome</source>
        <extracomment>what each `{{n}}` of a purpose stands for (`domain.templates.values_for`&apos;s order)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parcela</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor em aberto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Composição do valor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data do acordo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valor recebido</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data do pagamento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O nome “{nome}” só pode ter letras minúsculas, números e _ (até 512).</source>
        <extracomment>the shipped pack (WHATSAPP_CLOUD_API.md §10.3, each with the opt-out button)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Categoria inválida: use UTILITY para cobrança.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O aplicativo cria modelos com campos numerados ({{1}}, {{2}}…).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O modelo precisa de um texto (corpo).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Texto proibido em mensagem de cobrança: “{trecho}” ({codigo}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A confirmação de identidade não pode falar de dívida, parcela, valor ou pagamento.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Falta a identificação da loja (nome e CNPJ) na mensagem.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O texto tem {n} caracteres; o limite é {limite}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use só campos numerados ({{1}}, {{2}}…), sem nomes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os campos devem seguir a ordem {{1}}, {{2}}, {{3}}… sem pular números.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O texto não pode começar nem terminar com um campo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dois campos não podem ficar lado a lado; ponha texto entre eles.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Campos demais para o tamanho do texto: escreva mais ou use menos campos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cada campo precisa de um exemplo ({n} exemplos).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O cabeçalho tem até {limite} caracteres e no máximo um campo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O rodapé “{texto}” passa de {limite} caracteres: encurte o nome fantasia.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O rodapé não pode ter campos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No máximo {limite} botões.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No máximo dois botões de link e um de telefone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As respostas rápidas devem ficar juntas, sem outro botão no meio.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O botão “{texto}” precisa ter de 1 a {limite} caracteres.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dois botões com o mesmo texto.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No link do botão, o campo só pode ficar no fim.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Falta o botão “{botao}”: toda mensagem iniciada pela loja oferece parar.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TemplatePicker</name>
    <message>
        <source>Utilidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marketing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Autenticação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aprovado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em análise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pausado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rejeitado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Desativado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fora da janela de 24 horas o WhatsApp só aceita modelos aprovados.</source>
        <extracomment>Enviar modelo (`TemplateChoice`) the selected template changed (`TemplateChoice` or None)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enviar modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Carregando modelos…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum modelo aprovado para esta conversa. Cadastre e envie modelos para aprovação na página Modelos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum modelo pode ser usado agora: veja o motivo ao lado de cada um.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Indisponível: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirmar e enviar…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Botões: {buttons}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TemplateScreen</name>
    <message>
        <source>Aprovado</source>
        <extracomment>a pack template the account does not have yet (not a Meta status) the only status Meta lets a template be sent in (WHATSAPP_CLOUD_API.md §2.6)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em análise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rejeitado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pausado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Desativado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em recurso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em exclusão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Excluído</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acima do limite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arquivado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não enviado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Média</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Baixa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sem avaliação</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TemplatesView</name>
    <message>
        <source>Atualizar status</source>
        <extracomment>status → (text colour, background) asks before submitting (tests replace it)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lê na Meta o status, a categoria e a qualidade de cada modelo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enviar pacote de modelos para aprovação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Envia à Meta, para análise, os modelos de cobrança que a sua conta ainda não tem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fora da janela de 24 horas só um modelo aprovado pela Meta pode ser enviado. A análise leva até 24 horas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finalidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Categoria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pode usar?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Qualidade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Motivo da rejeição</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modelos de mensagem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prévia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buscar devedor (nome, CPF, telefone)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exemplo (sem devedor)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Para enviar os modelos, configure o número do WhatsApp: defina WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_WABA_ID e WHATSAPP_ACCESS_TOKEN (os dados do número no Gerenciador do WhatsApp) e abra o programa de novo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enviar modelos para aprovação</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enviar à Meta os modelos de cobrança que a sua conta ainda não tem? Cada um leva o nome e o CNPJ da loja. A análise leva até 24 horas; até lá eles aparecem como “Em análise” e não podem ser usados.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sim</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Não</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Só um modelo aprovado pela Meta pode ser enviado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A conta já tem todos os modelos do pacote. Nada foi enviado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} modelo(s) já estavam na conta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{nome}: enviado, em análise na Meta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{nome}: não enviado — {motivo}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{nome}: recusado pela Meta — {motivo}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status atualizado com a Meta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{status}: não pode ser usado até ser aprovado pela Meta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sem campos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{nome} não tem dívidas: a prévia usa os exemplos.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preenchido com a dívida em aberto mais antiga de {nome}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preenchido com os exemplos enviados à Meta. Busque um devedor para ver a mensagem dele.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum número do WhatsApp configurado: os modelos abaixo são o pacote da loja, ainda não enviado à Meta.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TimelineTree</name>
    <message>
        <source>Quando</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O quê</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detalhe</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>Abrir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sair</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cobrador Desktop — 1 mensagem não lida</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cobrador Desktop — {n} mensagens não lidas</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UnlockSecretsDialog</name>
    <message>
        <source>Abrir os segredos do WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O token e os segredos do WhatsApp deste computador estão num arquivo criptografado. Digite a senha para enviar e receber mensagens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arquivo: {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Senha do arquivo de segredos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abrir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agora não</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O programa abre sem enviar nem receber pelo número (a não ser pelas variáveis de ambiente).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WebhookPage</name>
    <message>
        <source>Receber as respostas (webhook)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Meta avisa o programa de cada resposta, entrega e leitura chamando um endereço &lt;b&gt;https://&lt;/b&gt; público. Um computador da loja não tem um, então escolha:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;ol&gt;&lt;li&gt;&lt;b&gt;Túnel HTTPS neste computador&lt;/b&gt; (o mais simples): instale o &lt;a href=&apos;https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/&apos;&gt;Cloudflare Tunnel&lt;/a&gt; e rode &lt;code&gt;cloudflared tunnel --url http://localhost:{port}&lt;/code&gt;. Ele mostra um endereço https://…; o Cobrador recebe na porta {port} enquanto a janela (ou &lt;code&gt;cobrador-desktop serve&lt;/code&gt;) estiver aberta. Para um endereço fixo, crie um túnel com nome na sua conta Cloudflare.&lt;/li&gt;&lt;li&gt;&lt;b&gt;Servidor sempre ligado&lt;/b&gt;: rode &lt;code&gt;cobrador-desktop serve&lt;/code&gt; num servidor com HTTPS (por exemplo atrás de um proxy com certificado Let&apos;s Encrypt), ligado ao mesmo banco de dados.&lt;/li&gt;&lt;li&gt;Escreva o endereço abaixo e clique em &lt;b&gt;Testar webhook&lt;/b&gt;.&lt;/li&gt;&lt;li&gt;No painel da Meta (seu aplicativo › WhatsApp › Configuração), em Webhook, cole a URL de retorno e o token de verificação, clique em Verificar e salvar, e assine o campo &lt;b&gt;messages&lt;/b&gt;.&lt;/li&gt;&lt;/ol&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>https://cobranca.minhaloja.com.br</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copiar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gerar outro</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endereço público</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>URL de retorno (cole na Meta)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token de verificação (cole na Meta)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testar webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atenção: a Meta só chama endereços https://; este teste usou um endereço sem HTTPS.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Bem-vindo ao Cobrador Desktop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Este assistente prepara o programa em alguns passos: a conta do dono, os dados da loja, a chave PIX, o número do WhatsApp Business e a primeira planilha. Qualquer passo pode ficar para depois — o assistente volta a abrir em Configurações › Assistente de configuração.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Experimentar com dados de demonstração</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abre outra janela com uma loja de exemplo, numa pasta separada: nada do que você fizer lá toca nos dados reais da loja nem envia WhatsApp de verdade.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Configurar minha loja</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Começa pela conta do dono, que protege as configurações; depois os dados da loja, o PIX e o número.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WizardLauncher</name>
    <message>
        <source>Assistente de configuração</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os passos da primeira configuração: dados da loja, PIX, conexão do número, webhook, segurança do número e primeira planilha. Termine o que ficou para depois.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abrir o assistente…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WizardPage</name>
    <message>
        <source>Crie a conta do dono (passo 2) para salvar esta etapa. Os testes funcionam mesmo assim; nada é salvo sem o dono.</source>
        <extracomment>the page&apos;s work is saved; the wizard moves on whether &quot;Salvar e continuar&quot; saves something (else it is just &quot;Continuar&quot;) whether saving needs the owner account (every page after it)</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>words</name>
    <message>
        <source>Texto livre</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
